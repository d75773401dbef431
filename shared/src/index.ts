export * from "./rpc/errors.js";
export * from "./rpc/service.js";
export * from "./gen/gitfleet/v1/types_pb.js";
export * from "./gen/gitfleet/v1/agent_pb.js";
export * from "./gen/gitfleet/v1/admin_pb.js";
export * from "./log.js";
export * from "./labels.js";
export * from "./duration.js";
