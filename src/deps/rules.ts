/** The stable finding codes of `upshift deps`, with descriptions (SARIF rules, docs). */
import type { Severity } from './analyze.js';

export interface RuleInfo {
  severity: Severity;
  title: string;
}

export const RULES: Readonly<Record<string, RuleInfo>> = {
  'legacy-import-path': { severity: 'warning', title: 'Import of a legacy etcd package path that moved on the target line' },
  'legacy-module-requirement': { severity: 'warning', title: 'go.mod requires a legacy etcd module (github.com/coreos/etcd, go.etcd.io/etcd, go.etcd.io/etcd/v3)' },
  'manual-migration-api-change': { severity: 'warning', title: 'Package changed API (e.g. clientv3/naming): port by hand' },
  'manual-migration-split': { severity: 'warning', title: 'Package split across modules (clientv3/snapshot): rewrite per symbol' },
  'package-removed': { severity: 'warning', title: 'Package has no replacement on the target line' },
  'package-internal': { severity: 'warning', title: 'Package moved under internal/ and is not importable' },
  'package-binary': { severity: 'warning', title: 'Import of a package main' },
  'unknown-etcd-package': { severity: 'info', title: 'Import path under an etcd module that no known release has' },
  'grpc-incompatible': { severity: 'blocker', title: 'google.golang.org/grpc version outside what the etcd client in use compiles with' },
  'grpc-replace-stopgap': { severity: 'warning', title: 'replace google.golang.org/grpc => v1.2x stop-gap that must go with the migration' },
  'coreos-bbolt': { severity: 'warning', title: 'github.com/coreos/bbolt (pre-rename path of go.etcd.io/bbolt)' },
  'bbolt-replace': { severity: 'info', title: 'replace between github.com/coreos/bbolt and go.etcd.io/bbolt' },
  'legacy-replace': { severity: 'info', title: 'replace directive pinning a legacy etcd path' },
  'fork-replacement': { severity: 'info', title: 'etcd replaced by a fork' },
  'multiple-etcd-generations': { severity: 'blocker', title: 'Two etcd generations linked into one binary (duplicate proto registration)' },
  'multiple-raft-modules': { severity: 'warning', title: 'go.etcd.io/etcd/raft/v3 and go.etcd.io/raft/v3 both in the build' },
  'etcd-version-skew': { severity: 'warning', title: 'etcd modules required at different versions' },
  'incompatible-latest': { severity: 'warning', title: 'go.etcd.io/etcd v3.3.x+incompatible picked by @latest' },
  'invalid-version': { severity: 'blocker', title: 'Version that the go command cannot resolve' },
  'pseudo-version-not-a-tag': { severity: 'info', title: 'Pseudo-version of a commit that is not a release tag' },
  'pseudo-version-unknown-commit': { severity: 'info', title: 'Pseudo-version of a commit not in the release table' },
  'no-vuln-coverage': { severity: 'info', title: 'Module without Go vuln DB coverage' },
  'vulnerable-version': { severity: 'warning', title: 'Known-vulnerable etcd version (pseudo-version aware)' },
  'vuln-db-false-negative': { severity: 'warning', title: 'Affected version that govulncheck cannot report (pseudo-version ordering, no DB coverage)' },
  'go-directive-floor': { severity: 'info', title: 'Target client raises the go directive' },
  'client-v2-unavailable': { severity: 'warning', title: 'v2 API client not published for the target line' },
  'indirect-but-imported': { severity: 'info', title: 'Requirement marked // indirect although the module is imported directly' },
  'go-file-unreadable': { severity: 'info', title: 'Go file whose import section could not be read' },
  'replace-overrides-upgrade': { severity: 'warning', title: 'Unversioned replace of an etcd module: it decides the code whatever go.mod requires, so the upgrade would change nothing' },
  'replace-stale': { severity: 'info', title: 'Versioned replace that stops applying once the module moves to the target' },
  'grpc-replace-below-target': { severity: 'warning', title: 'replace google.golang.org/grpc below the grpc the target etcd client requires' },
  'bbolt-pin': { severity: 'warning', title: 'replace pinning go.etcd.io/bbolt below what the target etcd server requires' },
  'etcd-via-dependency': { severity: 'warning', title: 'etcd reaches the module only through dependencies: they decide its generation' },
  'etcd-own-module': { severity: 'info', title: "One of etcd's own modules (local replaces are its workspace)" },
  'verify-build-error': { severity: 'blocker', title: '--verify: go build error after the plan (with the known API change that explains it)' },
  'verify-vet-error': { severity: 'blocker', title: '--verify: go vet problem after the plan' },
  'verify-step-error': { severity: 'blocker', title: '--verify: a step of the plan (go get, go mod tidy, ...) failed' },
  'verify-not-on-target': { severity: 'blocker', title: '--verify: a module the build selects after the plan is not on the target line' },
  'verify-not-run': { severity: 'warning', title: '--verify could not run (no Go toolchain)' },
};
