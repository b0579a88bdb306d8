// npm test's pretest: makes sure the browser tests have a browser. One found is used as it is; where none
// is, Debian's Chromium is installed when this is root on a machine with apt-get (CI), else the user is told
// in one line what to install, and the other tests still run (the browser tests then fail with that line).
import { execFileSync } from 'node:child_process';
import { findChromium, missingBrowserMessage } from './chromium.js';

function canInstallWithApt(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    execFileSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

if (findChromium() === null) {
  if (canInstallWithApt()) {
    process.stderr.write('No Chrome or Chromium found: installing Debian\'s chromium for the browser tests…\n');
    execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'], { stdio: 'inherit' });
  }
  if (findChromium() === null) process.stderr.write(`${missingBrowserMessage()}\n`);
}
