// The generated contract alone (no grpc-js, no Node built-ins): what a browser bundle may import.
export * from "./gen/gitfleet/v1/types_pb.js";
export * from "./gen/gitfleet/v1/agent_pb.js";
export * from "./gen/gitfleet/v1/admin_pb.js";
export * from "./gen/gitfleet/v1/fleet_pb.js";
