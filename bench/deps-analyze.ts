/**
 * Benchmark: `upshift deps DIR -o json` as a whole process on a generated 500-module go.mod + go.sum
 * (+ Go files), against baselines measured in the same run: bare `node -e ''` startup and
 * `upshift --version` (the CLI's own startup, no analysis). Target: well under 1 s per run.
 *
 * `--verify`: `upshift deps DIR --target 3.6 --verify` on a real module with ~200 dependencies (a 3.4 clientv3
 * service next to gin, cobra, prometheus, client-go, consul, sarama, go-redis and nats; needs Go and the module
 * proxy), with a warm module and build cache (one warm-up run first), against the irreducible part measured in
 * the same run: `go build ./...` and `go vet ./...` of the migrated module.
 *
 *   node --import tsx bench/deps-analyze.ts [--runs 7] [--modules 500] [--files 200]
 *   node --import tsx bench/deps-analyze.ts --verify [--runs 3]
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const RUNS = arg('runs', 7);
const MODULES = arg('modules', 500);
const FILES = arg('files', 200);
const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'upshift.js');

function h1(s: string): string {
  return 'h1:' + createHash('sha256').update(s).digest('base64');
}

function generate(dir: string): void {
  const req: string[] = [];
  const sum: string[] = [];
  for (let i = 0; i < MODULES; i++) {
    const path = `github.com/org${i % 37}/lib${i}`;
    const v = `v1.${i % 20}.${i % 7}`;
    req.push(`\t${path} ${v}${i % 3 === 0 ? ' // indirect' : ''}`);
    sum.push(`${path} ${v} ${h1(path + v)}`, `${path} ${v}/go.mod ${h1(path + v + 'mod')}`);
  }
  // The etcd part a real project of that size carries.
  req.push('\tgo.etcd.io/etcd v0.5.0-alpha.5.0.20200910180754-dd1b699fc489', '\tgoogle.golang.org/grpc v1.27.1', '\tgo.etcd.io/bbolt v1.3.5 // indirect');
  writeFileSync(join(dir, 'go.mod'), `module example.com/big\n\ngo 1.16\n\nrequire (\n${req.join('\n')}\n)\n\nreplace google.golang.org/grpc => google.golang.org/grpc v1.26.0\n`);
  writeFileSync(join(dir, 'go.sum'), sum.join('\n') + '\n');
  for (let f = 0; f < FILES; f++) {
    const d = join(dir, 'pkg', `p${f % 20}`);
    mkdirSync(d, { recursive: true });
    const imports = ['"context"', '"fmt"', `"github.com/org${f % 37}/lib${f}"`, f % 4 === 0 ? '"go.etcd.io/etcd/clientv3"' : '"strings"', f % 8 === 0 ? '"go.etcd.io/etcd/mvcc/mvccpb"' : '"sort"'];
    writeFileSync(join(d, `f${f}.go`), `package p${f % 20}\n\nimport (\n${imports.map((i) => '\t' + i).join('\n')}\n)\n\n${'func x() { _ = fmt.Sprint(context.Background()) }\n'.repeat(20)}`);
  }
}

function time(cmd: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function stats(xs: number[]): { median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}

/** A 3.4-era clientv3 service in a module with today's libraries: ~200 modules in `go list -m all`. */
function generateService(dir: string): void {
  writeFileSync(
    join(dir, 'go.mod'),
    'module example.com/bench/svc\n\ngo 1.21\n\nrequire (\n\tgithub.com/IBM/sarama v1.42.1\n\tgithub.com/gin-gonic/gin v1.9.1\n\tgithub.com/go-redis/redis/v8 v8.11.5\n\tgithub.com/hashicorp/consul/api v1.26.1\n\tgithub.com/nats-io/nats.go v1.31.0\n\tgithub.com/prometheus/client_golang v1.18.0\n\tgithub.com/spf13/cobra v1.8.0\n\tgo.etcd.io/etcd v0.5.0-alpha.5.0.20200824191128-ae9734ed278b\n\tk8s.io/client-go v0.29.0\n\tk8s.io/apimachinery v0.29.0\n)\n',
  );
  writeFileSync(
    join(dir, 'main.go'),
    `package main

import (
	"context"
	"net/http"
	"time"

	"github.com/IBM/sarama"
	"github.com/gin-gonic/gin"
	"github.com/go-redis/redis/v8"
	consul "github.com/hashicorp/consul/api"
	"github.com/nats-io/nats.go"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"
	"go.etcd.io/etcd/clientv3"
	"go.etcd.io/etcd/clientv3/concurrency"
	"go.etcd.io/etcd/mvcc/mvccpb"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

func main() {
	cmd := &cobra.Command{Use: "svc", RunE: func(*cobra.Command, []string) error {
		cli, err := clientv3.New(clientv3.Config{Endpoints: []string{"127.0.0.1:2379"}, DialTimeout: 5 * time.Second})
		if err != nil {
			return err
		}
		s, err := concurrency.NewSession(cli)
		if err != nil {
			return err
		}
		_ = concurrency.NewMutex(s, "/lock")
		kube, err := kubernetes.NewForConfig(&rest.Config{Host: "https://127.0.0.1:6443"})
		if err != nil {
			return err
		}
		_ = sarama.NewConfig()
		_ = redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
		if _, err := consul.NewClient(consul.DefaultConfig()); err != nil {
			return err
		}
		if nc, err := nats.Connect(nats.DefaultURL); err == nil {
			nc.Close()
		}
		r := gin.New()
		r.GET("/metrics", gin.WrapH(promhttp.Handler()))
		r.GET("/pods", func(c *gin.Context) {
			pods, err := kube.CoreV1().Pods("").List(context.Background(), metav1.ListOptions{})
			c.JSON(http.StatusOK, gin.H{"pods": pods, "err": err})
		})
		r.GET("/watch", func(c *gin.Context) {
			for wr := range cli.Watch(c, "/cfg/", clientv3.WithPrefix()) {
				for _, ev := range wr.Events {
					if ev.Type == mvccpb.PUT {
						c.String(http.StatusOK, string(ev.Kv.Key))
					}
				}
			}
		})
		return r.Run(":8080")
	}}
	_ = cmd.Execute()
}
`,
  );
}

async function benchVerify(): Promise<void> {
  const runs = arg('runs', 3);
  const dir = mkdtempSync(join(tmpdir(), 'upshift-bench-verify-'));
  try {
    generateService(dir);
    const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-modcacherw' };
    const verify = [process.execPath, bin, 'deps', dir, '--target', '3.6', '--verify', '-o', 'json'];
    console.log('warm-up run (downloads and compiles what the plan needs)...');
    const t0 = Date.now();
    const warm = spawnSync(verify[0], verify.slice(1), { env, encoding: 'utf8', maxBuffer: 64 << 20 });
    const report = JSON.parse(warm.stdout) as { verify: { built: boolean; onTarget: boolean; steps: { command: string; durationMs: number }[] } };
    console.log(`warm-up: ${((Date.now() - t0) / 1000).toFixed(1)} s, exit ${warm.status}, built ${report.verify.built}, on target ${report.verify.onTarget}`);
    // The migrated module, for the baseline (and the module count).
    const migrated = mkdtempSync(join(tmpdir(), 'upshift-bench-verify-migrated-'));
    try {
      cpSync(dir, migrated, { recursive: true });
      const fix = spawnSync(process.execPath, [bin, 'deps', 'fix', migrated, '--target', '3.6', '--verify', '-o', 'json'], { env, encoding: 'utf8', maxBuffer: 64 << 20 });
      if (fix.status !== 0) throw new Error(`deps fix --verify failed: ${fix.stdout}\n${fix.stderr}`);
      const count = spawnSync('go', ['list', '-m', 'all'], { cwd: migrated, env, encoding: 'utf8', maxBuffer: 64 << 20 }).stdout.split('\n').filter(Boolean).length - 1;
      const vs: number[] = [];
      for (let i = 0; i < runs; i++) vs.push(time(verify, env));
      const bs: number[] = [];
      for (let i = 0; i < runs; i++) {
        const b0 = process.hrtime.bigint();
        for (const args of [['build', './...'], ['vet', './...']]) {
          const r = spawnSync('go', args, { cwd: migrated, env, encoding: 'utf8' });
          if (r.status !== 0) throw new Error(`go ${args.join(' ')}: ${r.stderr}`);
        }
        bs.push(Number(process.hrtime.bigint() - b0) / 1e6);
      }
      const v = stats(vs);
      const b = stats(bs);
      console.log(`module: ${count} dependencies in go list -m all after the plan; runs: ${runs}; machine shared, read the ratio`);
      console.log(`${'upshift deps --verify (warm module and build cache)'.padEnd(58)} median ${(v.median / 1000).toFixed(1).padStart(6)} s  (min ${(v.min / 1000).toFixed(1)}, max ${(v.max / 1000).toFixed(1)})`);
      console.log(`${'baseline: go build ./... && go vet ./... (migrated)'.padEnd(58)} median ${(b.median / 1000).toFixed(1).padStart(6)} s  (min ${(b.min / 1000).toFixed(1)}, max ${(b.max / 1000).toFixed(1)})`);
      console.log(`verify / baseline: ${(v.median / b.median).toFixed(2)}x`);
      // Where a warm run spends its time.
      const last = JSON.parse(spawnSync(verify[0], verify.slice(1), { env, encoding: 'utf8', maxBuffer: 64 << 20 }).stdout) as typeof report & { verify: { durationMs: number } };
      for (const s of last.verify.steps) console.log(`  warm step ${s.command.slice(0, 70).padEnd(70)} ${(s.durationMs / 1000).toFixed(1)} s`);
      const stepsMs = last.verify.steps.reduce((a, s) => a + s.durationMs, 0);
      console.log(`  verify total ${(last.verify.durationMs / 1000).toFixed(1)} s, of which recorded steps ${(stepsMs / 1000).toFixed(1)} s (the rest: copy, go list -m all, go list -deps, analysis)`);
    } finally {
      rmSync(migrated, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--verify')) {
  await benchVerify();
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'upshift-bench-deps-'));
try {
  generate(dir);
  const cases: [string, string[]][] = [
    ["node -e ''", [process.execPath, '-e', '']],
    ['upshift --version', [process.execPath, bin, '--version']],
    [`upshift deps (${MODULES} modules, ${FILES} .go files) -o json`, [process.execPath, bin, 'deps', dir, '-o', 'json', '--fail-on', 'none']],
  ];
  // Warm the file cache (and tsx's transform cache) once.
  for (const [, cmd] of cases) time(cmd);
  const results = cases.map(([name, cmd]) => {
    const xs: number[] = [];
    for (let i = 0; i < RUNS; i++) xs.push(time(cmd));
    return { name, ...stats(xs) };
  });
  const base = results[0].median;
  const cliBase = results[1].median;
  console.log(`runs per case: ${RUNS}; machine load shared with other work, so read ratios, not absolutes`);
  for (const r of results) {
    console.log(`${r.name.padEnd(58)} median ${r.median.toFixed(0).padStart(5)} ms  (min ${r.min.toFixed(0)}, max ${r.max.toFixed(0)})  ${(r.median / base).toFixed(1)}x node startup`);
  }
  // The same analysis in-process (no startup), to separate analysis cost from Node/tsx startup and load.
  const { analyzeDir } = await import('../src/commands/deps.js');
  await analyzeDir({ dir, failOn: 'none' });
  const inproc: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await analyzeDir({ dir, failOn: 'none' });
    inproc.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const ip = stats(inproc);
  console.log(`${'deps analysis in-process (discover + analyse)'.padEnd(58)} median ${ip.median.toFixed(0).padStart(5)} ms  (min ${ip.min.toFixed(0)}, max ${ip.max.toFixed(0)})  ${(ip.median / base).toFixed(2)}x node startup`);
  const analysis = results[2].median - cliBase;
  console.log(`analysis cost over CLI startup: ${analysis.toFixed(0)} ms; whole process ${results[2].median < 1000 ? 'under' : 'OVER'} the 1 s target (${(results[2].median / 1000).toFixed(2)} s)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
