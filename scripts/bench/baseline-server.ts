/**
 * Benchmark baseline: a process that only decodes frames and answers SEND_MESSAGE_V2 with a
 * broker-shaped SUCCESS (no store, no routing). What the broker costs is the gap to this.
 */
import { createResponse } from '../../broker-core/protocol/remoting-command';
import { RequestCode } from '../../broker-core/protocol/request-code';
import { ResponseCode } from '../../broker-core/protocol/response-code';
import { RemotingServer } from '../../broker-core/remoting/remoting-server';

const server = new RemotingServer({ name: 'baseline', host: '127.0.0.1' });
let offset = 0;
server.registerProcessor(RequestCode.SEND_MESSAGE_V2, (request) =>
  createResponse(request, ResponseCode.SUCCESS, undefined, {
    msgId: '7F000001000051AF' + (offset++).toString(16).toUpperCase().padStart(16, '0'),
    queueId: request.extFields?.e ?? '0',
    queueOffset: offset,
    MSG_REGION: 'DefaultRegion',
    TRACE_ON: 'true',
  }),
);
const port = await server.listen(0, '127.0.0.1');
process.stdout.write(`READY ${JSON.stringify({ brokerAddr: `127.0.0.1:${port}`, pid: process.pid })}\n`);
process.on('SIGTERM', async () => {
  await server.close();
  process.exit(0);
});
