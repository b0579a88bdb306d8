// The gwi command line. `gwi demo [addrport]` serves wsgiref's demo app until runserver exists.
import { Command, CommanderError } from 'commander';
import { demoApp } from '../server/demo-app.js';
import { run } from '../server/run.js';
import { VERSION } from '../version.js';

/** `[addr:]port` as runserver takes it; the full grammar comes with runserver itself. */
function parseAddrport(addrport: string): [string, number] {
  const match = /^(?:(\d{1,3}(?:\.\d{1,3}){3}|[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*):)?(\d+)$/.exec(addrport);
  if (!match) throw new Error(`"${addrport}" is not a valid port number or address:port pair.`);
  return [match[1] ?? '127.0.0.1', Number(match[2])];
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('gwi').version(VERSION, '--version', "Show program's version number and exit.");
  program.exitOverride();
  program
    .command('demo')
    .description("Serves wsgiref's demo app (the environ, echoed) with the reference server.")
    .argument('[addrport]', 'Optional port number, or ipaddr:port', '8000')
    .option('--nothreading', 'Serve one request at a time.')
    .action(async (addrport: string, options: { nothreading?: boolean }) => {
      const [addr, port] = parseAddrport(addrport);
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      process.once('SIGTERM', () => controller.abort());
      await run(addr, port, demoApp, {
        threading: !options.nothreading,
        signal: controller.signal,
        onBind: (bound) => process.stdout.write(`Serving the demo app at http://${addr}:${bound}/\n`),
      });
    });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
