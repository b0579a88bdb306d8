// `gwi demo`: wsgiref's demo_app (the environ, echoed) on the reference server, with no project at all.
import { Command } from 'commander';
import { parseAddrport } from '../runserver/addrport.js';
import { asBindError } from '../runserver/errors.js';
import { HELP_HELP, stopOnSignals } from './base.js';

export function demoCommand(): Command {
  return new Command('demo')
    .description("Serves wsgiref's demo app (the environ, echoed) with the reference server.")
    .argument('[addrport]', 'Optional port number, or ipaddr:port')
    .option('--nothreading', 'Serve one request at a time.')
    .helpOption('-h, --help', HELP_HELP)
    .action(async (addrport: string | undefined, options: { nothreading?: boolean }) => {
      const { addr, port, ipv6 } = parseAddrport(addrport);
      // Imported when the command runs: the other commands never load the server for it.
      const [{ run }, { demoApp }] = await Promise.all([import('../server/run.js'), import('../server/demo-app.js')]);
      try {
        await run(addr, port, demoApp, {
          threading: !options.nothreading,
          ipv6,
          signal: stopOnSignals(),
          onBind: (bound) => process.stdout.write(`Serving the demo app at http://${addr}:${bound}/\n`),
        });
      } catch (err) {
        throw asBindError(err);
      }
    });
}
