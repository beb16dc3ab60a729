/** Dependency lifecycle: frequency x importance quadrants, Kiali-style idle/dead states, catalogs, scream tests. */
export { classify, quadrantOf, frequencyOf, stateOf, type Classified, type DependencyFacts, type Quadrant, type Importance } from './classify.js';
export { classifyDependencies } from './analyze.js';
export { parseCatalog, readCatalog, importanceOf, type Catalog, type CatalogEntry } from './catalog.js';
export { declaredEtcdDependencies, type DeclaredDependency } from './declared.js';
export { runScreamTest, parseStages, type ScreamReport } from './scream.js';
