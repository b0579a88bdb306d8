// npm test's pretest: the tools some tests drive and npm cannot install. A browser (Chrome or Chromium) for
// the browser tests, Django for /usr/bin/python3 for the Django interop tests (signing, sessions) and tmux
// for the terminal tests (runserver's shortcuts):
// each one found is used as it is; a missing one is installed from Debian's packages when this is root on
// a machine with apt-get (CI), else the user is told in one line what to install, and the other tests
// still run (those tests then fail with that line).
import { execFileSync } from 'node:child_process';
import { findChromium, missingBrowserMessage } from './browser/chromium.js';
import { DJANGO_MISSING, hasDjango } from './helpers/django.js';
import { hasTmux, TMUX_MISSING } from './helpers/tmux.js';

function canInstallWithApt(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    execFileSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const tools = [
  { name: 'Chrome or Chromium', packageName: 'chromium', present: () => findChromium() !== null, missing: () => missingBrowserMessage() },
  { name: 'Django', packageName: 'python3-django', present: hasDjango, missing: () => DJANGO_MISSING },
  { name: 'tmux', packageName: 'tmux', present: hasTmux, missing: () => TMUX_MISSING },
];
const absent = tools.filter((tool) => !tool.present());
if (absent.length > 0 && canInstallWithApt()) {
  process.stderr.write(`Installing Debian's ${absent.map((tool) => tool.packageName).join(', ')} for the tests…\n`);
  const packages = absent.map((tool) => tool.packageName).join(' ');
  execFileSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${packages}`], { stdio: 'inherit' });
}
for (const tool of absent) if (!tool.present()) process.stderr.write(`${tool.missing()}\n`);
