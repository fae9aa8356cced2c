import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.js');

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('create-relaypoint-connector (CLI)', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'rp-cli-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('scaffolds into ./<name without scope>, prints the next steps and exits 0', () => {
    const r = run(['@acme/relaypoint-connector-topup'], tmp);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/created @acme\/relaypoint-connector-topup \(plugin id "topup", @relaypoint\/core \^\d+\.\d+\.\d+\)/);
    expect(r.stdout).to.include('npm test');
    expect(existsSync(join(tmp, 'relaypoint-connector-topup', 'src', 'index.ts'))).to.equal(true);
  });

  it('exits 2 with one clear line when the directory exists, and leaves it alone', () => {
    mkdirSync(join(tmp, 'out'));
    const r = run(['topup', '--dir', 'out'], tmp);
    expect(r.code).to.equal(2);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.match(/out already exists; choose another --dir \(nothing was written\)/);
    expect(readdirSync(join(tmp, 'out'))).to.deep.equal([]);
  });

  it('exits 2 on an invalid name, a bad core range, a missing name and an unknown flag', () => {
    expect(run(['Bad_Name'], tmp))
      .to.include({ code: 2 })
      .and.to.have.property('stderr')
      .that.match(/invalid package name "Bad_Name"/);
    expect(run(['ok', '--core-range', 'nope'], tmp).stderr).to.match(/invalid @relaypoint\/core range "nope"/);
    expect(run([], tmp).code).to.equal(2);
    const unknown = run(['ok', '--bogus'], tmp);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.match(/Unknown argument: bogus/);
    expect(readdirSync(tmp)).to.deep.equal([]);
  });

  it('prints help and version with exit 0', () => {
    const help = run(['--help'], tmp);
    expect(help.code).to.equal(0);
    expect(help.stdout).to.include('--core-range');
    const version = run(['--version'], tmp);
    expect(version.code).to.equal(0);
    expect(version.stdout.trim()).to.match(/^\d+\.\d+\.\d+$/);
  });
});
