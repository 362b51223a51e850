/**
 * The RocketMQ 5.x gRPC API (package apache.rocketmq.v2), loaded at run time from the .proto files the npm
 * package `rocketmq-client-nodejs` ships (proto/apache/rocketmq/v2/{service,definition}.proto). Nothing here
 * restates protobuf: the wire format comes from those files through @grpc/proto-loader.
 *
 * Loader options, and what they mean for the objects handlers see and write:
 *   keepCase   field names as in the .proto (message_queues, system_properties)
 *   longs      int64 as JavaScript numbers (offsets and timestamps stay below 2^53)
 *   enums      enum values as their names ('OK', 'NORMAL', 'READ_WRITE')
 *   defaults   absent scalars and repeated fields read as their defaults ('' / 0 / []); absent messages as null;
 *              proto3 `optional` fields stay undefined when absent (they are oneof members)
 *   oneofs     a oneof's virtual field names the member that is set (content: 'message')
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const require = createRequire(import.meta.url);

/** Folder holding apache/rocketmq/v2/*.proto inside the installed rocketmq-client-nodejs package. */
export function protoRoot(): string {
  return path.join(path.dirname(require.resolve('rocketmq-client-nodejs/package.json')), 'proto');
}

export const SERVICE_PROTO = 'apache/rocketmq/v2/service.proto';
export const MESSAGING_SERVICE_NAME = 'apache.rocketmq.v2.MessagingService';

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

let cached: grpc.ServiceDefinition | undefined;

/** The MessagingService definition (methods with their serializers), loaded once per process. */
export function messagingServiceDefinition(): grpc.ServiceDefinition {
  if (cached) return cached;
  const packageDefinition = protoLoader.loadSync(SERVICE_PROTO, { ...LOADER_OPTIONS, includeDirs: [protoRoot()] });
  const service = packageDefinition[MESSAGING_SERVICE_NAME];
  if (!service || !('RecallMessage' in service)) throw new Error(`${SERVICE_PROTO} does not define ${MESSAGING_SERVICE_NAME}`);
  cached = service as unknown as grpc.ServiceDefinition;
  return cached;
}

/** A generic client for the same service (tests and the benchmark use it to send what a real client would not). */
export function messagingServiceClient(): grpc.ServiceClientConstructor {
  return grpc.makeGenericClientConstructor(messagingServiceDefinition(), 'MessagingService');
}
