import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { aotCacheForJdk, aotCacheOf, commandLine, findJava, javaCandidates, JVM_FLAGS, LaunchInputs, parseJavaHome, parseJavaMajor, planLaunch } from '../src/launch';

const repo = path.resolve(__dirname, '..', '..', '..', '..');

function inputs(over: Partial<LaunchInputs>, files: string[]): LaunchInputs {
  return {
    command: '',
    java: '',
    jar: '',
    jvmOptions: [],
    bundledJar: '/ext/server/cromwell.jar',
    workspaceFolders: ['/ws'],
    exists: (p) => files.includes(p),
    modifiedMs: (p) => (files.includes(p) ? 1000 : null),
    ...over,
  };
}

test('the command setting wins, and must exist', () => {
  assert.deepEqual(planLaunch(inputs({ command: '/r/bin/cromwell' }, ['/r/bin/cromwell', '/ext/server/cromwell.jar'])), {
    kind: 'command',
    command: '/r/bin/cromwell',
  });
  const missing = planLaunch(inputs({ command: '/nope' }, []));
  assert.equal(missing.kind, 'missing');
  assert.match((missing as { message: string }).message, /cromwell\.server\.command "\/nope" does not exist/);
});

test('a jar comes from the setting, else the packaged one, else the workspace build', () => {
  assert.deepEqual(planLaunch(inputs({ jar: '/j.jar', java: '/jdk/bin/java' }, ['/j.jar', '/ext/server/cromwell.jar'])), {
    kind: 'jar',
    jar: '/j.jar',
    java: '/jdk/bin/java',
    jvmOptions: [],
    aotCache: null,
  });
  assert.equal((planLaunch(inputs({}, ['/ext/server/cromwell.jar', '/ws/lsp-server/target/cromwell.jar'])) as { jar: string }).jar, '/ext/server/cromwell.jar');
  assert.equal((planLaunch(inputs({}, ['/ws/lsp-server/target/cromwell.jar'])) as { jar: string }).jar, '/ws/lsp-server/target/cromwell.jar');
  const none = planLaunch(inputs({}, []));
  assert.equal(none.kind, 'missing');
  assert.match((none as { message: string }).message, /cromwell\.server\.jar/);
  assert.match((planLaunch(inputs({ jar: '/gone.jar' }, [])) as { message: string }).message, /"\/gone\.jar" does not exist/);
});

test('the JVM flags are those of bin/cromwell', () => {
  const script = fs.readFileSync(path.join(repo, 'bin', 'cromwell'), 'utf8');
  const opts = /opts=\(([^)]*)\)/s.exec(script);
  assert.ok(opts, 'bin/cromwell defines opts=(...)');
  assert.deepEqual(opts[1].split(/\s+/).filter((s) => s !== ''), JVM_FLAGS);
});

test('the command line runs the jar with the flags, the AOT cache, the options and the arguments', () => {
  const plan = { kind: 'jar' as const, jar: '/c.jar', java: null, jvmOptions: ['-Xmx2g'], aotCache: null };
  assert.deepEqual(commandLine(plan, '/jdk/bin/java', ['pull', 'x']), {
    command: '/jdk/bin/java',
    args: [...JVM_FLAGS, '-Xmx2g', '-jar', '/c.jar', 'pull', 'x'],
  });
  assert.deepEqual(commandLine({ ...plan, aotCache: '/c.aot' }, '/jdk/bin/java', ['lsp']).args, [...JVM_FLAGS, '-XX:AOTCache=/c.aot', '-Xmx2g', '-jar', '/c.jar', 'lsp']);
  assert.deepEqual(commandLine({ kind: 'command', command: '/bin/cw' }, null, ['lsp']), { command: '/bin/cw', args: ['lsp'] });
});

test('java is looked for in bin/find-java order', () => {
  assert.deepEqual(javaCandidates({ CROMWELL_JAVA_HOME: '/a', JAVA_HOME: '/b' }).slice(0, 3), ['/a/bin/java', '/b/bin/java', '/usr/lib/jvm/temurin-25-jdk-amd64/bin/java']);
  assert.equal(javaCandidates({}).at(-1), 'java');
});

test('the java version is read from -XshowSettings output', () => {
  assert.equal(parseJavaMajor('Property settings:\n    java.specification.version = 25\n'), 25);
  assert.equal(parseJavaMajor('    java.specification.version = 1.8\n'), 8);
  assert.equal(parseJavaMajor('garbage'), null);
});

test('findJava takes the first JDK 25 and refuses an old configured one', async () => {
  const versions: Record<string, number> = { '/b/bin/java': 21, '/usr/lib/jvm/temurin-25-jdk-amd64/bin/java': 25 };
  const major = async (j: string) => (versions[j] === undefined ? null : { major: versions[j], home: path.dirname(path.dirname(j)) });
  assert.deepEqual(await findJava(null, { JAVA_HOME: '/b' }, major), {
    java: '/usr/lib/jvm/temurin-25-jdk-amd64/bin/java',
    home: '/usr/lib/jvm/temurin-25-jdk-amd64',
  });
  const old = await findJava('/b/bin/java', {}, major);
  assert.match((old as { message: string }).message, /"\/b\/bin\/java" is Java 21; Cromwell needs JDK 25/);
  const none = await findJava(null, {}, async () => null);
  assert.match((none as { message: string }).message, /no JDK 25 found/);
});

test('the AOT cache beside the jar is passed only when it is newer than the jar', () => {
  const times: Record<string, number> = { '/b/cromwell.jar': 1000, '/b/cromwell.aot': 2000, '/old/cromwell.jar': 3000, '/old/cromwell.aot': 2000, '/none/cromwell.jar': 1000 };
  const modifiedMs = (p: string) => times[p] ?? null;
  assert.equal(aotCacheOf('/b/cromwell.jar', { modifiedMs }), '/b/cromwell.aot');
  assert.equal(aotCacheOf('/old/cromwell.jar', { modifiedMs }), null, 'a cache of an earlier build');
  assert.equal(aotCacheOf('/none/cromwell.jar', { modifiedMs }), null, 'no cache');
  const plan = planLaunch(inputs({ jar: '/b/cromwell.jar', modifiedMs }, ['/b/cromwell.jar']));
  assert.equal(plan.kind === 'jar' && plan.aotCache, '/b/cromwell.aot');
});

test('the AOT cache goes only to the JDK that made it (its release file beside the cache)', () => {
  const release = 'IMPLEMENTOR="Eclipse Adoptium"\nJAVA_VERSION="25.0.3"\n';
  const files: Record<string, string> = {
    '/b/cromwell.aot.jdk': release,
    '/jdk/release': release,
    '/updated/release': 'IMPLEMENTOR="Eclipse Adoptium"\nJAVA_VERSION="25.0.4"\n',
  };
  const read = (p: string) => files[p] ?? null;
  assert.equal(aotCacheForJdk('/b/cromwell.aot', '/jdk', read), '/b/cromwell.aot');
  assert.equal(aotCacheForJdk('/b/cromwell.aot', '/updated', read), null, 'a JDK updated since bin/build');
  assert.equal(aotCacheForJdk('/c/cromwell.aot', '/jdk', read), null, 'a cache without its JDK file');
  assert.equal(aotCacheForJdk('/b/cromwell.aot', '/norelease', read), null, 'a JDK without a release file');
  assert.equal(aotCacheForJdk('/b/cromwell.aot', null, read), null, 'a java that did not say its home');
  assert.equal(aotCacheForJdk(null, '/jdk', read), null);
  assert.equal(parseJavaHome('    java.class.version = 69.0\n    java.home = /usr/lib/jvm/temurin-25-jdk-amd64\n'), '/usr/lib/jvm/temurin-25-jdk-amd64');
  assert.equal(parseJavaHome('no properties'), null);
});
