/**
 * fauxqs (npm; SQS/SNS/S3 in memory, no signature check) in its own process on 127.0.0.1 and a
 * random port: the SQS peer. Prints `FAUXQS_READY http://127.0.0.1:<port>`, or exits with code
 * 3 and a note on stderr when the package is not installed.
 */
type App = { listen(o: { port: number; host: string }): Promise<string>; close(): Promise<void> };
let buildApp: (options: { logger: boolean }) => App;
try {
  ({ buildApp } = (await import('fauxqs')) as unknown as { buildApp: typeof buildApp });
} catch (e) {
  process.stderr.write(`fauxqs is not installed (npm install --save-dev fauxqs@1.9.2): ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(3);
}

const app = buildApp({ logger: false });
const address = await app.listen({ port: Number(process.env.FAUXQS_PORT ?? 0), host: '127.0.0.1' });
process.stdout.write(`FAUXQS_READY ${address.replace('localhost', '127.0.0.1')}\n`);
const stop = () => {
  setTimeout(() => process.exit(0), 5000).unref();
  void app.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
