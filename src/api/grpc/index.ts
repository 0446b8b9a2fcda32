/** The worker wire protocol: generated messages, Effect server and client, and domain conversions. */
export * from "./AssignedTask.js"
export * from "./CallContext.js"
export * from "./GrpcErrors.js"
export * from "./GrpcStatus.js"
/** Generated protocol messages (package apache.airavata.scheduler.common). */
export * as CommonProto from "./generated/common.js"
/** Generated protocol messages (package apache.airavata.scheduler.experiment). */
export * as ExperimentProto from "./generated/experiment.js"
/** Generated protocol messages (package apache.airavata.scheduler.worker). */
export * as WorkerProto from "./generated/worker.js"
export * from "./ProtoTime.js"
export * from "./StatusMapping.js"
export * from "./TaskReport.js"
export * from "./WorkerGrpcClient.js"
export * from "./WorkerGrpcServer.js"
