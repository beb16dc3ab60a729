/** Worker threads running one of upshift's modules, from the compiled JavaScript or from the TypeScript sources. */
import { Worker } from 'node:worker_threads';

/**
 * Start a worker on the module `name` (without extension) beside `selfUrl` (the caller's import.meta.url).
 * Running from sources (tsx), the worker must register the TypeScript loader itself, because a loader
 * registered with tsx's API in this thread is not inherited by new threads.
 */
export function spawnModuleWorker(selfUrl: string, name: string, workerData: unknown): Worker {
  if (selfUrl.endsWith('.ts')) {
    const workerUrl = new URL(`./${name}.ts`, selfUrl).href;
    const tsxApi = import.meta.resolve('tsx/esm/api');
    const code = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(workerUrl)}); });`;
    return new Worker(code, { eval: true, workerData });
  }
  return new Worker(new URL(`./${name}.js`, selfUrl), { workerData });
}
