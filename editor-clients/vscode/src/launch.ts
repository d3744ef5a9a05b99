// How the server is started. The JVM flags are those of bin/cromwell (the Vector API incubator
// module, native access for the kernels, the collector settings it measured, and the JVM's own
// warnings sent to stderr, never into the LSP stream on stdout).
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { Env } from './model';

export const JVM_FLAGS = [
  '--add-modules=jdk.incubator.vector',
  '--enable-native-access=ALL-UNNAMED',
  '-XX:+UseParallelGC',
  '-XX:MaxNewSize=256m',
  '-Xlog:disable',
  '-Xlog:all=warning,aot*=off,cds*=off:stderr',
  '-XX:+DisplayVMOutputToStderr',
];

export const MIN_JAVA = 25;

export interface LaunchInputs {
  command: string; // cromwell.server.command
  java: string; // cromwell.server.java
  jar: string; // cromwell.server.jar
  jvmOptions: string[];
  bundledJar: string; // <extension>/server/cromwell.jar
  workspaceFolders: string[];
  exists: (p: string) => boolean;
  modifiedMs: (p: string) => number | null; // null: no such file
}

export type LaunchPlan =
  | { kind: 'command'; command: string }
  | { kind: 'jar'; jar: string; java: string | null; jvmOptions: string[]; aotCache: string | null }
  | { kind: 'missing'; message: string };

/** Chooses the program: the command setting, else a jar (setting, packaged, workspace build). */
export function planLaunch(i: LaunchInputs): LaunchPlan {
  if (i.command.trim() !== '') {
    const command = i.command.trim();
    return i.exists(command)
      ? { kind: 'command', command }
      : { kind: 'missing', message: `Cromwell: cromwell.server.command "${command}" does not exist; fix the setting or clear it.` };
  }
  const java = i.java.trim() === '' ? null : i.java.trim();
  if (i.jar.trim() !== '') {
    const jar = i.jar.trim();
    return i.exists(jar)
      ? { kind: 'jar', jar, java, jvmOptions: i.jvmOptions, aotCache: aotCacheOf(jar, i) }
      : { kind: 'missing', message: `Cromwell: cromwell.server.jar "${jar}" does not exist; build it with bin/build or fix the setting.` };
  }
  const candidates = [i.bundledJar, ...i.workspaceFolders.map((f) => path.join(f, 'lsp-server', 'target', 'cromwell.jar'))];
  const found = candidates.find((c) => i.exists(c));
  if (found !== undefined) {
    return { kind: 'jar', jar: found, java, jvmOptions: i.jvmOptions, aotCache: aotCacheOf(found, i) };
  }
  return {
    kind: 'missing',
    message:
      'Cromwell: no server found. Set cromwell.server.jar to cromwell.jar (bin/build makes lsp-server/target/cromwell.jar) or cromwell.server.command to bin/cromwell.',
  };
}

/**
 * The JDK AOT cache bin/build trains beside the jar (cromwell.aot), as bin/cromwell passes it: only
 * when newer than the jar, since a cache of an earlier build is refused by the JVM, which then
 * also goes without the JDK's own class-data archive. It makes initialize and warm-up sooner.
 * Whether the JDK is the one that made it is {@link aotCacheForJdk}'s to say, once java is known.
 */
export function aotCacheOf(jar: string, i: Pick<LaunchInputs, 'modifiedMs'>): string | null {
  const cache = path.join(path.dirname(jar), 'cromwell.aot');
  const cacheMs = i.modifiedMs(cache);
  const jarMs = i.modifiedMs(jar);
  return cacheMs !== null && jarMs !== null && cacheMs > jarMs ? cache : null;
}

/**
 * The cache only for the JDK that made it, as bin/cromwell decides: another JDK (one updated since
 * bin/build) refuses it and starts without its own class-data archive too, silently under
 * JVM_FLAGS' logging. bin/build copies the training JDK's release file beside the cache
 * (cromwell.aot.jdk); it must be {@code javaHome}'s release file, byte for byte.
 */
export function aotCacheForJdk(cache: string | null, javaHome: string | null, read: (p: string) => string | null): string | null {
  if (cache === null || javaHome === null) {
    return null;
  }
  const madeBy = read(`${cache}.jdk`);
  return madeBy !== null && madeBy !== '' && madeBy === read(path.join(javaHome, 'release')) ? cache : null;
}

/** Places to look for a JDK, in bin/find-java's order: the env homes, Temurin 25, java on PATH. */
export function javaCandidates(env: Env): string[] {
  const homes = [env.CROMWELL_JAVA_HOME, env.JAVA_HOME, '/usr/lib/jvm/temurin-25-jdk-amd64', '/usr/lib/jvm/temurin-25-jdk', '/usr/lib/jvm/java-25-openjdk-amd64'];
  const out = homes.filter((h): h is string => h !== undefined && h !== '').map((h) => path.join(h, 'bin', 'java'));
  out.push('java');
  return out;
}

/** The major version from `java -XshowSettings:properties -version` output, or null. */
export function parseJavaMajor(output: string): number | null {
  const m = /^\s*java\.specification\.version = (\d+)(?:\.(\d+))?/m.exec(output);
  if (m === null) {
    return null;
  }
  // Java 8 and older say "1.8".
  return m[1] === '1' && m[2] !== undefined ? Number(m[2]) : Number(m[1]);
}

/** The java.home from the same output (where its release file is), or null. */
export function parseJavaHome(output: string): string | null {
  const m = /^\s*java\.home = (.+)$/m.exec(output);
  return m === null ? null : m[1].trim();
}

/** A java's major version and home, from one run of it; null when it does not run. */
export interface JavaInfo {
  major: number | null;
  home: string | null;
}

export function javaInfo(java: string): Promise<JavaInfo | null> {
  return new Promise((resolve) => {
    execFile(java, ['-XshowSettings:properties', '-version'], { timeout: 20_000 }, (err, stdout, stderr) => {
      const said = String(stderr) + String(stdout);
      resolve(err && (err as NodeJS.ErrnoException).code === 'ENOENT' ? null : { major: parseJavaMajor(said), home: parseJavaHome(said) });
    });
  });
}

/** The configured java when set (checked), else the first candidate of version 25 or newer. */
export async function findJava(configured: string | null, env: Env, info = javaInfo): Promise<{ java: string; home: string | null } | { message: string }> {
  if (configured !== null) {
    const found = await info(configured);
    const v = found?.major ?? null;
    if (found === null || v === null || v < MIN_JAVA) {
      return { message: `Cromwell: cromwell.server.java "${configured}" is ${v === null ? 'not a working java' : 'Java ' + v}; Cromwell needs JDK ${MIN_JAVA} or newer.` };
    }
    return { java: configured, home: found.home };
  }
  const candidates = javaCandidates(env);
  for (const c of candidates) {
    const found = await info(c);
    if (found !== null && found.major !== null && found.major >= MIN_JAVA) {
      return { java: c, home: found.home };
    }
  }
  return {
    message: `Cromwell: no JDK ${MIN_JAVA} found (looked at ${candidates.join(', ')}). Install Temurin 25 or set cromwell.server.java.`,
  };
}

/** The program and arguments that run `cromwell ARGS...`. */
export function commandLine(plan: Exclude<LaunchPlan, { kind: 'missing' }>, java: string | null, args: string[]): { command: string; args: string[] } {
  if (plan.kind === 'command') {
    return { command: plan.command, args };
  }
  if (java === null) {
    throw new Error('a java is needed to run ' + plan.jar);
  }
  const aot = plan.aotCache === null ? [] : [`-XX:AOTCache=${plan.aotCache}`];
  return { command: java, args: [...JVM_FLAGS, ...aot, ...plan.jvmOptions, '-jar', plan.jar, ...args] };
}
