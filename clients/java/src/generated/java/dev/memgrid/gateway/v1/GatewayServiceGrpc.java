package dev.memgrid.gateway.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * The public API of memgrid. Every call must carry an API key in the "x-api-key" metadata
 * entry (or "authorization: Bearer &lt;key&gt;"); without one, or with an unknown one, it fails
 * with UNAUTHENTICATED. The key decides the tenant, and an end-user key also the one user
 * it acts for: naming another user is PERMISSION_DENIED, and another user's memories and
 * jobs are NOT_FOUND through it. Every RPC answers INVALID_ARGUMENT with a BadRequest
 * detail naming each bad field and writes nothing then; UNAVAILABLE when a service it
 * needs is down (safe to retry with the same idempotency key); DEADLINE_EXCEEDED when the
 * caller's deadline ran out.
 * Each RPC is also served as REST/JSON by gateway/rest at the path of its google.api.http
 * rule (the same request and response messages in their proto3 JSON form; errors are a
 * google.rpc.Status under the HTTP status of its code); Chat streams newline-delimited JSON.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class GatewayServiceGrpc {

  private GatewayServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "memgrid.gateway.v1.GatewayService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.AddMessagesRequest,
      dev.memgrid.gateway.v1.AddMessagesResponse> getAddMessagesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "AddMessages",
      requestType = dev.memgrid.gateway.v1.AddMessagesRequest.class,
      responseType = dev.memgrid.gateway.v1.AddMessagesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.AddMessagesRequest,
      dev.memgrid.gateway.v1.AddMessagesResponse> getAddMessagesMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.AddMessagesRequest, dev.memgrid.gateway.v1.AddMessagesResponse> getAddMessagesMethod;
    if ((getAddMessagesMethod = GatewayServiceGrpc.getAddMessagesMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getAddMessagesMethod = GatewayServiceGrpc.getAddMessagesMethod) == null) {
          GatewayServiceGrpc.getAddMessagesMethod = getAddMessagesMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.AddMessagesRequest, dev.memgrid.gateway.v1.AddMessagesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "AddMessages"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.AddMessagesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.AddMessagesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("AddMessages"))
              .build();
        }
      }
    }
    return getAddMessagesMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.AddMemoriesRequest,
      dev.memgrid.gateway.v1.AddMemoriesResponse> getAddMemoriesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "AddMemories",
      requestType = dev.memgrid.gateway.v1.AddMemoriesRequest.class,
      responseType = dev.memgrid.gateway.v1.AddMemoriesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.AddMemoriesRequest,
      dev.memgrid.gateway.v1.AddMemoriesResponse> getAddMemoriesMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.AddMemoriesRequest, dev.memgrid.gateway.v1.AddMemoriesResponse> getAddMemoriesMethod;
    if ((getAddMemoriesMethod = GatewayServiceGrpc.getAddMemoriesMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getAddMemoriesMethod = GatewayServiceGrpc.getAddMemoriesMethod) == null) {
          GatewayServiceGrpc.getAddMemoriesMethod = getAddMemoriesMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.AddMemoriesRequest, dev.memgrid.gateway.v1.AddMemoriesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "AddMemories"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.AddMemoriesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.AddMemoriesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("AddMemories"))
              .build();
        }
      }
    }
    return getAddMemoriesMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetMemoryRequest,
      dev.memgrid.gateway.v1.GetMemoryResponse> getGetMemoryMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetMemory",
      requestType = dev.memgrid.gateway.v1.GetMemoryRequest.class,
      responseType = dev.memgrid.gateway.v1.GetMemoryResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetMemoryRequest,
      dev.memgrid.gateway.v1.GetMemoryResponse> getGetMemoryMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetMemoryRequest, dev.memgrid.gateway.v1.GetMemoryResponse> getGetMemoryMethod;
    if ((getGetMemoryMethod = GatewayServiceGrpc.getGetMemoryMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getGetMemoryMethod = GatewayServiceGrpc.getGetMemoryMethod) == null) {
          GatewayServiceGrpc.getGetMemoryMethod = getGetMemoryMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.GetMemoryRequest, dev.memgrid.gateway.v1.GetMemoryResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetMemory"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.GetMemoryRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.GetMemoryResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("GetMemory"))
              .build();
        }
      }
    }
    return getGetMemoryMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.BatchGetMemoriesRequest,
      dev.memgrid.gateway.v1.BatchGetMemoriesResponse> getBatchGetMemoriesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "BatchGetMemories",
      requestType = dev.memgrid.gateway.v1.BatchGetMemoriesRequest.class,
      responseType = dev.memgrid.gateway.v1.BatchGetMemoriesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.BatchGetMemoriesRequest,
      dev.memgrid.gateway.v1.BatchGetMemoriesResponse> getBatchGetMemoriesMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.BatchGetMemoriesRequest, dev.memgrid.gateway.v1.BatchGetMemoriesResponse> getBatchGetMemoriesMethod;
    if ((getBatchGetMemoriesMethod = GatewayServiceGrpc.getBatchGetMemoriesMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getBatchGetMemoriesMethod = GatewayServiceGrpc.getBatchGetMemoriesMethod) == null) {
          GatewayServiceGrpc.getBatchGetMemoriesMethod = getBatchGetMemoriesMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.BatchGetMemoriesRequest, dev.memgrid.gateway.v1.BatchGetMemoriesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "BatchGetMemories"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.BatchGetMemoriesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.BatchGetMemoriesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("BatchGetMemories"))
              .build();
        }
      }
    }
    return getBatchGetMemoriesMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.UpdateMemoryRequest,
      dev.memgrid.gateway.v1.UpdateMemoryResponse> getUpdateMemoryMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "UpdateMemory",
      requestType = dev.memgrid.gateway.v1.UpdateMemoryRequest.class,
      responseType = dev.memgrid.gateway.v1.UpdateMemoryResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.UpdateMemoryRequest,
      dev.memgrid.gateway.v1.UpdateMemoryResponse> getUpdateMemoryMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.UpdateMemoryRequest, dev.memgrid.gateway.v1.UpdateMemoryResponse> getUpdateMemoryMethod;
    if ((getUpdateMemoryMethod = GatewayServiceGrpc.getUpdateMemoryMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getUpdateMemoryMethod = GatewayServiceGrpc.getUpdateMemoryMethod) == null) {
          GatewayServiceGrpc.getUpdateMemoryMethod = getUpdateMemoryMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.UpdateMemoryRequest, dev.memgrid.gateway.v1.UpdateMemoryResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "UpdateMemory"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.UpdateMemoryRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.UpdateMemoryResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("UpdateMemory"))
              .build();
        }
      }
    }
    return getUpdateMemoryMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.DeleteMemoryRequest,
      dev.memgrid.gateway.v1.DeleteMemoryResponse> getDeleteMemoryMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteMemory",
      requestType = dev.memgrid.gateway.v1.DeleteMemoryRequest.class,
      responseType = dev.memgrid.gateway.v1.DeleteMemoryResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.DeleteMemoryRequest,
      dev.memgrid.gateway.v1.DeleteMemoryResponse> getDeleteMemoryMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.DeleteMemoryRequest, dev.memgrid.gateway.v1.DeleteMemoryResponse> getDeleteMemoryMethod;
    if ((getDeleteMemoryMethod = GatewayServiceGrpc.getDeleteMemoryMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getDeleteMemoryMethod = GatewayServiceGrpc.getDeleteMemoryMethod) == null) {
          GatewayServiceGrpc.getDeleteMemoryMethod = getDeleteMemoryMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.DeleteMemoryRequest, dev.memgrid.gateway.v1.DeleteMemoryResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteMemory"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.DeleteMemoryRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.DeleteMemoryResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("DeleteMemory"))
              .build();
        }
      }
    }
    return getDeleteMemoryMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.DeleteMemoriesRequest,
      dev.memgrid.gateway.v1.DeleteMemoriesResponse> getDeleteMemoriesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteMemories",
      requestType = dev.memgrid.gateway.v1.DeleteMemoriesRequest.class,
      responseType = dev.memgrid.gateway.v1.DeleteMemoriesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.DeleteMemoriesRequest,
      dev.memgrid.gateway.v1.DeleteMemoriesResponse> getDeleteMemoriesMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.DeleteMemoriesRequest, dev.memgrid.gateway.v1.DeleteMemoriesResponse> getDeleteMemoriesMethod;
    if ((getDeleteMemoriesMethod = GatewayServiceGrpc.getDeleteMemoriesMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getDeleteMemoriesMethod = GatewayServiceGrpc.getDeleteMemoriesMethod) == null) {
          GatewayServiceGrpc.getDeleteMemoriesMethod = getDeleteMemoriesMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.DeleteMemoriesRequest, dev.memgrid.gateway.v1.DeleteMemoriesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteMemories"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.DeleteMemoriesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.DeleteMemoriesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("DeleteMemories"))
              .build();
        }
      }
    }
    return getDeleteMemoriesMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.EraseUserRequest,
      dev.memgrid.gateway.v1.EraseUserResponse> getEraseUserMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "EraseUser",
      requestType = dev.memgrid.gateway.v1.EraseUserRequest.class,
      responseType = dev.memgrid.gateway.v1.EraseUserResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.EraseUserRequest,
      dev.memgrid.gateway.v1.EraseUserResponse> getEraseUserMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.EraseUserRequest, dev.memgrid.gateway.v1.EraseUserResponse> getEraseUserMethod;
    if ((getEraseUserMethod = GatewayServiceGrpc.getEraseUserMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getEraseUserMethod = GatewayServiceGrpc.getEraseUserMethod) == null) {
          GatewayServiceGrpc.getEraseUserMethod = getEraseUserMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.EraseUserRequest, dev.memgrid.gateway.v1.EraseUserResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "EraseUser"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.EraseUserRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.EraseUserResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("EraseUser"))
              .build();
        }
      }
    }
    return getEraseUserMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.EraseTenantRequest,
      dev.memgrid.gateway.v1.EraseTenantResponse> getEraseTenantMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "EraseTenant",
      requestType = dev.memgrid.gateway.v1.EraseTenantRequest.class,
      responseType = dev.memgrid.gateway.v1.EraseTenantResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.EraseTenantRequest,
      dev.memgrid.gateway.v1.EraseTenantResponse> getEraseTenantMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.EraseTenantRequest, dev.memgrid.gateway.v1.EraseTenantResponse> getEraseTenantMethod;
    if ((getEraseTenantMethod = GatewayServiceGrpc.getEraseTenantMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getEraseTenantMethod = GatewayServiceGrpc.getEraseTenantMethod) == null) {
          GatewayServiceGrpc.getEraseTenantMethod = getEraseTenantMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.EraseTenantRequest, dev.memgrid.gateway.v1.EraseTenantResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "EraseTenant"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.EraseTenantRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.EraseTenantResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("EraseTenant"))
              .build();
        }
      }
    }
    return getEraseTenantMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ListMemoriesRequest,
      dev.memgrid.gateway.v1.ListMemoriesResponse> getListMemoriesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListMemories",
      requestType = dev.memgrid.gateway.v1.ListMemoriesRequest.class,
      responseType = dev.memgrid.gateway.v1.ListMemoriesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ListMemoriesRequest,
      dev.memgrid.gateway.v1.ListMemoriesResponse> getListMemoriesMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ListMemoriesRequest, dev.memgrid.gateway.v1.ListMemoriesResponse> getListMemoriesMethod;
    if ((getListMemoriesMethod = GatewayServiceGrpc.getListMemoriesMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getListMemoriesMethod = GatewayServiceGrpc.getListMemoriesMethod) == null) {
          GatewayServiceGrpc.getListMemoriesMethod = getListMemoriesMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.ListMemoriesRequest, dev.memgrid.gateway.v1.ListMemoriesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListMemories"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.ListMemoriesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.ListMemoriesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("ListMemories"))
              .build();
        }
      }
    }
    return getListMemoriesMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetMemoryHistoryRequest,
      dev.memgrid.gateway.v1.GetMemoryHistoryResponse> getGetMemoryHistoryMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetMemoryHistory",
      requestType = dev.memgrid.gateway.v1.GetMemoryHistoryRequest.class,
      responseType = dev.memgrid.gateway.v1.GetMemoryHistoryResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetMemoryHistoryRequest,
      dev.memgrid.gateway.v1.GetMemoryHistoryResponse> getGetMemoryHistoryMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetMemoryHistoryRequest, dev.memgrid.gateway.v1.GetMemoryHistoryResponse> getGetMemoryHistoryMethod;
    if ((getGetMemoryHistoryMethod = GatewayServiceGrpc.getGetMemoryHistoryMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getGetMemoryHistoryMethod = GatewayServiceGrpc.getGetMemoryHistoryMethod) == null) {
          GatewayServiceGrpc.getGetMemoryHistoryMethod = getGetMemoryHistoryMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.GetMemoryHistoryRequest, dev.memgrid.gateway.v1.GetMemoryHistoryResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetMemoryHistory"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.GetMemoryHistoryRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.GetMemoryHistoryResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("GetMemoryHistory"))
              .build();
        }
      }
    }
    return getGetMemoryHistoryMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.SearchRequest,
      dev.memgrid.gateway.v1.SearchResponse> getSearchMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Search",
      requestType = dev.memgrid.gateway.v1.SearchRequest.class,
      responseType = dev.memgrid.gateway.v1.SearchResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.SearchRequest,
      dev.memgrid.gateway.v1.SearchResponse> getSearchMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.SearchRequest, dev.memgrid.gateway.v1.SearchResponse> getSearchMethod;
    if ((getSearchMethod = GatewayServiceGrpc.getSearchMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getSearchMethod = GatewayServiceGrpc.getSearchMethod) == null) {
          GatewayServiceGrpc.getSearchMethod = getSearchMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.SearchRequest, dev.memgrid.gateway.v1.SearchResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Search"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.SearchRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.SearchResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("Search"))
              .build();
        }
      }
    }
    return getSearchMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetContextRequest,
      dev.memgrid.gateway.v1.GetContextResponse> getGetContextMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetContext",
      requestType = dev.memgrid.gateway.v1.GetContextRequest.class,
      responseType = dev.memgrid.gateway.v1.GetContextResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetContextRequest,
      dev.memgrid.gateway.v1.GetContextResponse> getGetContextMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetContextRequest, dev.memgrid.gateway.v1.GetContextResponse> getGetContextMethod;
    if ((getGetContextMethod = GatewayServiceGrpc.getGetContextMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getGetContextMethod = GatewayServiceGrpc.getGetContextMethod) == null) {
          GatewayServiceGrpc.getGetContextMethod = getGetContextMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.GetContextRequest, dev.memgrid.gateway.v1.GetContextResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetContext"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.GetContextRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.GetContextResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("GetContext"))
              .build();
        }
      }
    }
    return getGetContextMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.CreateCubeRequest,
      dev.memgrid.gateway.v1.CreateCubeResponse> getCreateCubeMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateCube",
      requestType = dev.memgrid.gateway.v1.CreateCubeRequest.class,
      responseType = dev.memgrid.gateway.v1.CreateCubeResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.CreateCubeRequest,
      dev.memgrid.gateway.v1.CreateCubeResponse> getCreateCubeMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.CreateCubeRequest, dev.memgrid.gateway.v1.CreateCubeResponse> getCreateCubeMethod;
    if ((getCreateCubeMethod = GatewayServiceGrpc.getCreateCubeMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getCreateCubeMethod = GatewayServiceGrpc.getCreateCubeMethod) == null) {
          GatewayServiceGrpc.getCreateCubeMethod = getCreateCubeMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.CreateCubeRequest, dev.memgrid.gateway.v1.CreateCubeResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateCube"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.CreateCubeRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.CreateCubeResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("CreateCube"))
              .build();
        }
      }
    }
    return getCreateCubeMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ListCubesRequest,
      dev.memgrid.gateway.v1.ListCubesResponse> getListCubesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListCubes",
      requestType = dev.memgrid.gateway.v1.ListCubesRequest.class,
      responseType = dev.memgrid.gateway.v1.ListCubesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ListCubesRequest,
      dev.memgrid.gateway.v1.ListCubesResponse> getListCubesMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ListCubesRequest, dev.memgrid.gateway.v1.ListCubesResponse> getListCubesMethod;
    if ((getListCubesMethod = GatewayServiceGrpc.getListCubesMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getListCubesMethod = GatewayServiceGrpc.getListCubesMethod) == null) {
          GatewayServiceGrpc.getListCubesMethod = getListCubesMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.ListCubesRequest, dev.memgrid.gateway.v1.ListCubesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListCubes"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.ListCubesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.ListCubesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("ListCubes"))
              .build();
        }
      }
    }
    return getListCubesMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ShareCubeRequest,
      dev.memgrid.gateway.v1.ShareCubeResponse> getShareCubeMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ShareCube",
      requestType = dev.memgrid.gateway.v1.ShareCubeRequest.class,
      responseType = dev.memgrid.gateway.v1.ShareCubeResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ShareCubeRequest,
      dev.memgrid.gateway.v1.ShareCubeResponse> getShareCubeMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ShareCubeRequest, dev.memgrid.gateway.v1.ShareCubeResponse> getShareCubeMethod;
    if ((getShareCubeMethod = GatewayServiceGrpc.getShareCubeMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getShareCubeMethod = GatewayServiceGrpc.getShareCubeMethod) == null) {
          GatewayServiceGrpc.getShareCubeMethod = getShareCubeMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.ShareCubeRequest, dev.memgrid.gateway.v1.ShareCubeResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ShareCube"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.ShareCubeRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.ShareCubeResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("ShareCube"))
              .build();
        }
      }
    }
    return getShareCubeMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.UnshareCubeRequest,
      dev.memgrid.gateway.v1.UnshareCubeResponse> getUnshareCubeMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "UnshareCube",
      requestType = dev.memgrid.gateway.v1.UnshareCubeRequest.class,
      responseType = dev.memgrid.gateway.v1.UnshareCubeResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.UnshareCubeRequest,
      dev.memgrid.gateway.v1.UnshareCubeResponse> getUnshareCubeMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.UnshareCubeRequest, dev.memgrid.gateway.v1.UnshareCubeResponse> getUnshareCubeMethod;
    if ((getUnshareCubeMethod = GatewayServiceGrpc.getUnshareCubeMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getUnshareCubeMethod = GatewayServiceGrpc.getUnshareCubeMethod) == null) {
          GatewayServiceGrpc.getUnshareCubeMethod = getUnshareCubeMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.UnshareCubeRequest, dev.memgrid.gateway.v1.UnshareCubeResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "UnshareCube"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.UnshareCubeRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.UnshareCubeResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("UnshareCube"))
              .build();
        }
      }
    }
    return getUnshareCubeMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ConsolidateRequest,
      dev.memgrid.gateway.v1.ConsolidateResponse> getConsolidateMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Consolidate",
      requestType = dev.memgrid.gateway.v1.ConsolidateRequest.class,
      responseType = dev.memgrid.gateway.v1.ConsolidateResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ConsolidateRequest,
      dev.memgrid.gateway.v1.ConsolidateResponse> getConsolidateMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ConsolidateRequest, dev.memgrid.gateway.v1.ConsolidateResponse> getConsolidateMethod;
    if ((getConsolidateMethod = GatewayServiceGrpc.getConsolidateMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getConsolidateMethod = GatewayServiceGrpc.getConsolidateMethod) == null) {
          GatewayServiceGrpc.getConsolidateMethod = getConsolidateMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.ConsolidateRequest, dev.memgrid.gateway.v1.ConsolidateResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Consolidate"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.ConsolidateRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.ConsolidateResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("Consolidate"))
              .build();
        }
      }
    }
    return getConsolidateMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetJobRequest,
      dev.memgrid.gateway.v1.GetJobResponse> getGetJobMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetJob",
      requestType = dev.memgrid.gateway.v1.GetJobRequest.class,
      responseType = dev.memgrid.gateway.v1.GetJobResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetJobRequest,
      dev.memgrid.gateway.v1.GetJobResponse> getGetJobMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetJobRequest, dev.memgrid.gateway.v1.GetJobResponse> getGetJobMethod;
    if ((getGetJobMethod = GatewayServiceGrpc.getGetJobMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getGetJobMethod = GatewayServiceGrpc.getGetJobMethod) == null) {
          GatewayServiceGrpc.getGetJobMethod = getGetJobMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.GetJobRequest, dev.memgrid.gateway.v1.GetJobResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetJob"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.GetJobRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.GetJobResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("GetJob"))
              .build();
        }
      }
    }
    return getGetJobMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.RetryJobRequest,
      dev.memgrid.gateway.v1.RetryJobResponse> getRetryJobMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RetryJob",
      requestType = dev.memgrid.gateway.v1.RetryJobRequest.class,
      responseType = dev.memgrid.gateway.v1.RetryJobResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.RetryJobRequest,
      dev.memgrid.gateway.v1.RetryJobResponse> getRetryJobMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.RetryJobRequest, dev.memgrid.gateway.v1.RetryJobResponse> getRetryJobMethod;
    if ((getRetryJobMethod = GatewayServiceGrpc.getRetryJobMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getRetryJobMethod = GatewayServiceGrpc.getRetryJobMethod) == null) {
          GatewayServiceGrpc.getRetryJobMethod = getRetryJobMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.RetryJobRequest, dev.memgrid.gateway.v1.RetryJobResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RetryJob"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.RetryJobRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.RetryJobResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("RetryJob"))
              .build();
        }
      }
    }
    return getRetryJobMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetProfileRequest,
      dev.memgrid.gateway.v1.GetProfileResponse> getGetProfileMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetProfile",
      requestType = dev.memgrid.gateway.v1.GetProfileRequest.class,
      responseType = dev.memgrid.gateway.v1.GetProfileResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetProfileRequest,
      dev.memgrid.gateway.v1.GetProfileResponse> getGetProfileMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetProfileRequest, dev.memgrid.gateway.v1.GetProfileResponse> getGetProfileMethod;
    if ((getGetProfileMethod = GatewayServiceGrpc.getGetProfileMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getGetProfileMethod = GatewayServiceGrpc.getGetProfileMethod) == null) {
          GatewayServiceGrpc.getGetProfileMethod = getGetProfileMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.GetProfileRequest, dev.memgrid.gateway.v1.GetProfileResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetProfile"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.GetProfileRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.GetProfileResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("GetProfile"))
              .build();
        }
      }
    }
    return getGetProfileMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ListPatternsRequest,
      dev.memgrid.gateway.v1.ListPatternsResponse> getListPatternsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListPatterns",
      requestType = dev.memgrid.gateway.v1.ListPatternsRequest.class,
      responseType = dev.memgrid.gateway.v1.ListPatternsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ListPatternsRequest,
      dev.memgrid.gateway.v1.ListPatternsResponse> getListPatternsMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ListPatternsRequest, dev.memgrid.gateway.v1.ListPatternsResponse> getListPatternsMethod;
    if ((getListPatternsMethod = GatewayServiceGrpc.getListPatternsMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getListPatternsMethod = GatewayServiceGrpc.getListPatternsMethod) == null) {
          GatewayServiceGrpc.getListPatternsMethod = getListPatternsMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.ListPatternsRequest, dev.memgrid.gateway.v1.ListPatternsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListPatterns"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.ListPatternsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.ListPatternsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("ListPatterns"))
              .build();
        }
      }
    }
    return getListPatternsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.RecordFeedbackRequest,
      dev.memgrid.gateway.v1.RecordFeedbackResponse> getRecordFeedbackMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RecordFeedback",
      requestType = dev.memgrid.gateway.v1.RecordFeedbackRequest.class,
      responseType = dev.memgrid.gateway.v1.RecordFeedbackResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.RecordFeedbackRequest,
      dev.memgrid.gateway.v1.RecordFeedbackResponse> getRecordFeedbackMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.RecordFeedbackRequest, dev.memgrid.gateway.v1.RecordFeedbackResponse> getRecordFeedbackMethod;
    if ((getRecordFeedbackMethod = GatewayServiceGrpc.getRecordFeedbackMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getRecordFeedbackMethod = GatewayServiceGrpc.getRecordFeedbackMethod) == null) {
          GatewayServiceGrpc.getRecordFeedbackMethod = getRecordFeedbackMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.RecordFeedbackRequest, dev.memgrid.gateway.v1.RecordFeedbackResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RecordFeedback"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.RecordFeedbackRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.RecordFeedbackResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("RecordFeedback"))
              .build();
        }
      }
    }
    return getRecordFeedbackMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ChatRequest,
      dev.memgrid.gateway.v1.ChatResponse> getChatMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Chat",
      requestType = dev.memgrid.gateway.v1.ChatRequest.class,
      responseType = dev.memgrid.gateway.v1.ChatResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ChatRequest,
      dev.memgrid.gateway.v1.ChatResponse> getChatMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ChatRequest, dev.memgrid.gateway.v1.ChatResponse> getChatMethod;
    if ((getChatMethod = GatewayServiceGrpc.getChatMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getChatMethod = GatewayServiceGrpc.getChatMethod) == null) {
          GatewayServiceGrpc.getChatMethod = getChatMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.ChatRequest, dev.memgrid.gateway.v1.ChatResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Chat"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.ChatRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.ChatResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("Chat"))
              .build();
        }
      }
    }
    return getChatMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.FindEntitiesRequest,
      dev.memgrid.gateway.v1.FindEntitiesResponse> getFindEntitiesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "FindEntities",
      requestType = dev.memgrid.gateway.v1.FindEntitiesRequest.class,
      responseType = dev.memgrid.gateway.v1.FindEntitiesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.FindEntitiesRequest,
      dev.memgrid.gateway.v1.FindEntitiesResponse> getFindEntitiesMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.FindEntitiesRequest, dev.memgrid.gateway.v1.FindEntitiesResponse> getFindEntitiesMethod;
    if ((getFindEntitiesMethod = GatewayServiceGrpc.getFindEntitiesMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getFindEntitiesMethod = GatewayServiceGrpc.getFindEntitiesMethod) == null) {
          GatewayServiceGrpc.getFindEntitiesMethod = getFindEntitiesMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.FindEntitiesRequest, dev.memgrid.gateway.v1.FindEntitiesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "FindEntities"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.FindEntitiesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.FindEntitiesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("FindEntities"))
              .build();
        }
      }
    }
    return getFindEntitiesMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetNeighborsRequest,
      dev.memgrid.gateway.v1.GetNeighborsResponse> getGetNeighborsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetNeighbors",
      requestType = dev.memgrid.gateway.v1.GetNeighborsRequest.class,
      responseType = dev.memgrid.gateway.v1.GetNeighborsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetNeighborsRequest,
      dev.memgrid.gateway.v1.GetNeighborsResponse> getGetNeighborsMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetNeighborsRequest, dev.memgrid.gateway.v1.GetNeighborsResponse> getGetNeighborsMethod;
    if ((getGetNeighborsMethod = GatewayServiceGrpc.getGetNeighborsMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getGetNeighborsMethod = GatewayServiceGrpc.getGetNeighborsMethod) == null) {
          GatewayServiceGrpc.getGetNeighborsMethod = getGetNeighborsMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.GetNeighborsRequest, dev.memgrid.gateway.v1.GetNeighborsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetNeighbors"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.GetNeighborsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.GetNeighborsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("GetNeighbors"))
              .build();
        }
      }
    }
    return getGetNeighborsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ShortestPathRequest,
      dev.memgrid.gateway.v1.ShortestPathResponse> getShortestPathMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ShortestPath",
      requestType = dev.memgrid.gateway.v1.ShortestPathRequest.class,
      responseType = dev.memgrid.gateway.v1.ShortestPathResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ShortestPathRequest,
      dev.memgrid.gateway.v1.ShortestPathResponse> getShortestPathMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.ShortestPathRequest, dev.memgrid.gateway.v1.ShortestPathResponse> getShortestPathMethod;
    if ((getShortestPathMethod = GatewayServiceGrpc.getShortestPathMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getShortestPathMethod = GatewayServiceGrpc.getShortestPathMethod) == null) {
          GatewayServiceGrpc.getShortestPathMethod = getShortestPathMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.ShortestPathRequest, dev.memgrid.gateway.v1.ShortestPathResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ShortestPath"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.ShortestPathRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.ShortestPathResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("ShortestPath"))
              .build();
        }
      }
    }
    return getShortestPathMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetRelatedMemoriesRequest,
      dev.memgrid.gateway.v1.GetRelatedMemoriesResponse> getGetRelatedMemoriesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetRelatedMemories",
      requestType = dev.memgrid.gateway.v1.GetRelatedMemoriesRequest.class,
      responseType = dev.memgrid.gateway.v1.GetRelatedMemoriesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetRelatedMemoriesRequest,
      dev.memgrid.gateway.v1.GetRelatedMemoriesResponse> getGetRelatedMemoriesMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetRelatedMemoriesRequest, dev.memgrid.gateway.v1.GetRelatedMemoriesResponse> getGetRelatedMemoriesMethod;
    if ((getGetRelatedMemoriesMethod = GatewayServiceGrpc.getGetRelatedMemoriesMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getGetRelatedMemoriesMethod = GatewayServiceGrpc.getGetRelatedMemoriesMethod) == null) {
          GatewayServiceGrpc.getGetRelatedMemoriesMethod = getGetRelatedMemoriesMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.GetRelatedMemoriesRequest, dev.memgrid.gateway.v1.GetRelatedMemoriesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetRelatedMemories"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.GetRelatedMemoriesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.GetRelatedMemoriesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("GetRelatedMemories"))
              .build();
        }
      }
    }
    return getGetRelatedMemoriesMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetMemoryGraphRequest,
      dev.memgrid.gateway.v1.GetMemoryGraphResponse> getGetMemoryGraphMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetMemoryGraph",
      requestType = dev.memgrid.gateway.v1.GetMemoryGraphRequest.class,
      responseType = dev.memgrid.gateway.v1.GetMemoryGraphResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetMemoryGraphRequest,
      dev.memgrid.gateway.v1.GetMemoryGraphResponse> getGetMemoryGraphMethod() {
    io.grpc.MethodDescriptor<dev.memgrid.gateway.v1.GetMemoryGraphRequest, dev.memgrid.gateway.v1.GetMemoryGraphResponse> getGetMemoryGraphMethod;
    if ((getGetMemoryGraphMethod = GatewayServiceGrpc.getGetMemoryGraphMethod) == null) {
      synchronized (GatewayServiceGrpc.class) {
        if ((getGetMemoryGraphMethod = GatewayServiceGrpc.getGetMemoryGraphMethod) == null) {
          GatewayServiceGrpc.getGetMemoryGraphMethod = getGetMemoryGraphMethod =
              io.grpc.MethodDescriptor.<dev.memgrid.gateway.v1.GetMemoryGraphRequest, dev.memgrid.gateway.v1.GetMemoryGraphResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetMemoryGraph"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.GetMemoryGraphRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.memgrid.gateway.v1.GetMemoryGraphResponse.getDefaultInstance()))
              .setSchemaDescriptor(new GatewayServiceMethodDescriptorSupplier("GetMemoryGraph"))
              .build();
        }
      }
    }
    return getGetMemoryGraphMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static GatewayServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GatewayServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GatewayServiceStub>() {
        @java.lang.Override
        public GatewayServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GatewayServiceStub(channel, callOptions);
        }
      };
    return GatewayServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static GatewayServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GatewayServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GatewayServiceBlockingV2Stub>() {
        @java.lang.Override
        public GatewayServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GatewayServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return GatewayServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static GatewayServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GatewayServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GatewayServiceBlockingStub>() {
        @java.lang.Override
        public GatewayServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GatewayServiceBlockingStub(channel, callOptions);
        }
      };
    return GatewayServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static GatewayServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<GatewayServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<GatewayServiceFutureStub>() {
        @java.lang.Override
        public GatewayServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new GatewayServiceFutureStub(channel, callOptions);
        }
      };
    return GatewayServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * The public API of memgrid. Every call must carry an API key in the "x-api-key" metadata
   * entry (or "authorization: Bearer &lt;key&gt;"); without one, or with an unknown one, it fails
   * with UNAUTHENTICATED. The key decides the tenant, and an end-user key also the one user
   * it acts for: naming another user is PERMISSION_DENIED, and another user's memories and
   * jobs are NOT_FOUND through it. Every RPC answers INVALID_ARGUMENT with a BadRequest
   * detail naming each bad field and writes nothing then; UNAVAILABLE when a service it
   * needs is down (safe to retry with the same idempotency key); DEADLINE_EXCEEDED when the
   * caller's deadline ran out.
   * Each RPC is also served as REST/JSON by gateway/rest at the path of its google.api.http
   * rule (the same request and response messages in their proto3 JSON form; errors are a
   * google.rpc.Status under the HTTP status of its code); Chat streams newline-delimited JSON.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * Appends conversation turns to a session; they are stored before the call returns and
     * consolidated in the background. FAILED_PRECONDITION: idempotency key reused with a
     * different request. PERMISSION_DENIED: the cube is not the user's. NOT_FOUND: no such
     * cube.
     * </pre>
     */
    default void addMessages(dev.memgrid.gateway.v1.AddMessagesRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.AddMessagesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getAddMessagesMethod(), responseObserver);
    }

    /**
     * <pre>
     * Stores a batch of memories atomically. Same errors as AddMessages.
     * </pre>
     */
    default void addMemories(dev.memgrid.gateway.v1.AddMemoriesRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.AddMemoriesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getAddMemoriesMethod(), responseObserver);
    }

    /**
     * <pre>
     * NOT_FOUND: no such memory in the caller's tenant (or it expired).
     * </pre>
     */
    default void getMemory(dev.memgrid.gateway.v1.GetMemoryRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetMemoryResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetMemoryMethod(), responseObserver);
    }

    /**
     * <pre>
     * Up to MEMGRID_MAX_BATCH ids; ids not found are listed, not an error.
     * RESOURCE_EXHAUSTED: the memories come to more than MEMGRID_MAX_REPLY_BYTES (8 MiB);
     * ask for fewer ids at a time.
     * </pre>
     */
    default void batchGetMemories(dev.memgrid.gateway.v1.BatchGetMemoriesRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.BatchGetMemoriesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getBatchGetMemoriesMethod(), responseObserver);
    }

    /**
     * <pre>
     * Changes the masked fields, keeping the old version in history. NOT_FOUND: no such
     * memory. ABORTED: expected_version is stale; re-read and retry.
     * </pre>
     */
    default void updateMemory(dev.memgrid.gateway.v1.UpdateMemoryRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.UpdateMemoryResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getUpdateMemoryMethod(), responseObserver);
    }

    /**
     * <pre>
     * Deletes a memory and its history from memory-store and from every derived store.
     * NOT_FOUND: no such memory.
     * </pre>
     */
    default void deleteMemory(dev.memgrid.gateway.v1.DeleteMemoryRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.DeleteMemoryResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteMemoryMethod(), responseObserver);
    }

    /**
     * <pre>
     * Deletes every memory matching a filter, which must name the user whose memories go.
     * INVALID_ARGUMENT: no filter.user_id. PERMISSION_DENIED: a cube the user does not own.
     * </pre>
     */
    default void deleteMemories(dev.memgrid.gateway.v1.DeleteMemoriesRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.DeleteMemoriesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteMemoriesMethod(), responseObserver);
    }

    /**
     * <pre>
     * Erases everything of one user in the caller's tenant: messages, everything derived
     * from them (facts, profile, patterns, episodes, graph links), cubes, finished jobs.
     * Returns a receipt with the counts. INVALID_ARGUMENT: no user_id.
     * </pre>
     */
    default void eraseUser(dev.memgrid.gateway.v1.EraseUserRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.EraseUserResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getEraseUserMethod(), responseObserver);
    }

    /**
     * <pre>
     * Erases every user of the caller's tenant. INVALID_ARGUMENT: confirm_tenant_id is not
     * the caller's tenant.
     * </pre>
     */
    default void eraseTenant(dev.memgrid.gateway.v1.EraseTenantRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.EraseTenantResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getEraseTenantMethod(), responseObserver);
    }

    /**
     * <pre>
     * Pages through a user's memories matching a filter, oldest first. INVALID_ARGUMENT: no
     * filter.user_id, or a bad page token. PERMISSION_DENIED: a cube the user may not read.
     * </pre>
     */
    default void listMemories(dev.memgrid.gateway.v1.ListMemoriesRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ListMemoriesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListMemoriesMethod(), responseObserver);
    }

    /**
     * <pre>
     * Every version of a memory, oldest first. NOT_FOUND: no such memory.
     * </pre>
     */
    default void getMemoryHistory(dev.memgrid.gateway.v1.GetMemoryHistoryRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetMemoryHistoryResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetMemoryHistoryMethod(), responseObserver);
    }

    /**
     * <pre>
     * Hybrid retrieval over a user's memories (filter.user_id is required). UNAVAILABLE: the search service is down
     * (writes still succeed and are indexed when it is back). PERMISSION_DENIED: a cube the
     * user may not read.
     * </pre>
     */
    default void search(dev.memgrid.gateway.v1.SearchRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.SearchResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSearchMethod(), responseObserver);
    }

    /**
     * <pre>
     * A prompt-ready context for answering the user: their profile (as GetProfile), the
     * session's recent turns when session_id is given, and the memories Search finds for
     * the query, fitted to the caller's token budget in that priority order. The response
     * holds the text and the parts it was built from, the tokens used and what the budget
     * left out. Scoped like Search: the user's own memories only. INVALID_ARGUMENT: no
     * user_id, no query, or max_tokens, max_memories, max_recent_turns or min_score out of
     * range. A part whose service is down (the thought engine, search) is left out and
     * named in `degraded` rather than failing the call; UNAVAILABLE when memory-store is.
     * </pre>
     */
    default void getContext(dev.memgrid.gateway.v1.GetContextRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetContextResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetContextMethod(), responseObserver);
    }

    /**
     * <pre>
     * ALREADY_EXISTS: the cube id is taken.
     * </pre>
     */
    default void createCube(dev.memgrid.gateway.v1.CreateCubeRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.CreateCubeResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateCubeMethod(), responseObserver);
    }

    /**
     * <pre>
     * Cubes the user owns or may read.
     * </pre>
     */
    default void listCubes(dev.memgrid.gateway.v1.ListCubesRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ListCubesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListCubesMethod(), responseObserver);
    }

    /**
     * <pre>
     * Grants another user read-only access. NOT_FOUND: no such cube. PERMISSION_DENIED: not
     * the owner.
     * </pre>
     */
    default void shareCube(dev.memgrid.gateway.v1.ShareCubeRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ShareCubeResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getShareCubeMethod(), responseObserver);
    }

    /**
     * <pre>
     * Revokes a grant. NOT_FOUND: no such cube. PERMISSION_DENIED: not the owner.
     * </pre>
     */
    default void unshareCube(dev.memgrid.gateway.v1.UnshareCubeRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.UnshareCubeResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getUnshareCubeMethod(), responseObserver);
    }

    /**
     * <pre>
     * Consolidates a user's (or one session's) memories now, in the background: episodes,
     * facts and profile, heat and tiers, patterns. Returns the job at once; poll GetJob. An
     * identical request still waiting returns that job. UNAVAILABLE: the thought engine is
     * down or not deployed.
     * </pre>
     */
    default void consolidate(dev.memgrid.gateway.v1.ConsolidateRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ConsolidateResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getConsolidateMethod(), responseObserver);
    }

    /**
     * <pre>
     * A background job's state, note and, once dead, its error. NOT_FOUND: no such job of
     * the caller's tenant.
     * </pre>
     */
    default void getJob(dev.memgrid.gateway.v1.GetJobRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetJobResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetJobMethod(), responseObserver);
    }

    /**
     * <pre>
     * Runs a DEAD background job again, with a fresh attempt count: for work that failed
     * for good once its cause is fixed. INVALID_ARGUMENT: job_id is empty or malformed.
     * NOT_FOUND: no such job of the caller's tenant. FAILED_PRECONDITION: the job is not
     * dead (reason JOB_NOT_DEAD), or the same work is already pending
     * (DUPLICATE_PENDING_JOB). UNAVAILABLE: the thought engine is down or not deployed.
     * </pre>
     */
    default void retryJob(dev.memgrid.gateway.v1.RetryJobRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.RetryJobResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRetryJobMethod(), responseObserver);
    }

    /**
     * <pre>
     * The user's current profile and facts about the people around them, as extracted from
     * their messages so far (empty until something was said). UNAVAILABLE: the thought
     * engine is down or not deployed.
     * </pre>
     */
    default void getProfile(dev.memgrid.gateway.v1.GetProfileRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetProfileResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetProfileMethod(), responseObserver);
    }

    /**
     * <pre>
     * Patterns detected across the user's sessions (recurring topics, entities that come up
     * together, time-of-day and weekday habits). INVALID_ARGUMENT: bad page token.
     * </pre>
     */
    default void listPatterns(dev.memgrid.gateway.v1.ListPatternsRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ListPatternsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListPatternsMethod(), responseObserver);
    }

    /**
     * <pre>
     * Marks a retrieved memory useful or not useful, which raises or lowers its importance
     * and so its rank in Search. NOT_FOUND: no such memory. ABORTED: it changed
     * concurrently; retry.
     * </pre>
     */
    default void recordFeedback(dev.memgrid.gateway.v1.RecordFeedbackRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.RecordFeedbackResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRecordFeedbackMethod(), responseObserver);
    }

    /**
     * <pre>
     * Answers the user from their memories and profile through the configured LLM, streaming
     * a ChatContext, then the answer's text, then ChatCompleted once both turns are stored
     * in the session. FAILED_PRECONDITION: no LLM configured. RESOURCE_EXHAUSTED: the
     * tenant's LLM token budget is spent. DEADLINE_EXCEEDED / UNAVAILABLE: the LLM timed
     * out or is down (nothing is stored then).
     * </pre>
     */
    default void chat(dev.memgrid.gateway.v1.ChatRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ChatResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getChatMethod(), responseObserver);
    }

    /**
     * <pre>
     * Entities of the user's graph whose name or alias matches the query (exact, alias, or
     * case-insensitive prefix). INVALID_ARGUMENT: no user_id. UNAVAILABLE: the graph service is down or not deployed.
     * </pre>
     */
    default void findEntities(dev.memgrid.gateway.v1.FindEntitiesRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.FindEntitiesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getFindEntitiesMethod(), responseObserver);
    }

    /**
     * <pre>
     * Entities within hops of one, following relations that pass the filter. NOT_FOUND: no
     * such entity. INVALID_ARGUMENT: hops above 4.
     * </pre>
     */
    default void getNeighbors(dev.memgrid.gateway.v1.GetNeighborsRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetNeighborsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetNeighborsMethod(), responseObserver);
    }

    /**
     * <pre>
     * A fewest-hops path between two entities; found is false when none is within max_hops.
     * NOT_FOUND: either entity does not exist.
     * </pre>
     */
    default void shortestPath(dev.memgrid.gateway.v1.ShortestPathRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ShortestPathResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getShortestPathMethod(), responseObserver);
    }

    /**
     * <pre>
     * The caller's memories that mention the entities or their neighbours, nearest and most
     * confident first, filtered like Search.
     * </pre>
     */
    default void getRelatedMemories(dev.memgrid.gateway.v1.GetRelatedMemoriesRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetRelatedMemoriesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetRelatedMemoriesMethod(), responseObserver);
    }

    /**
     * <pre>
     * The entities a memory mentions and their neighbourhood. NOT_FOUND: the user's graph
     * holds nothing for that memory (another user's memory included).
     * </pre>
     */
    default void getMemoryGraph(dev.memgrid.gateway.v1.GetMemoryGraphRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetMemoryGraphResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetMemoryGraphMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service GatewayService.
   * <pre>
   * The public API of memgrid. Every call must carry an API key in the "x-api-key" metadata
   * entry (or "authorization: Bearer &lt;key&gt;"); without one, or with an unknown one, it fails
   * with UNAUTHENTICATED. The key decides the tenant, and an end-user key also the one user
   * it acts for: naming another user is PERMISSION_DENIED, and another user's memories and
   * jobs are NOT_FOUND through it. Every RPC answers INVALID_ARGUMENT with a BadRequest
   * detail naming each bad field and writes nothing then; UNAVAILABLE when a service it
   * needs is down (safe to retry with the same idempotency key); DEADLINE_EXCEEDED when the
   * caller's deadline ran out.
   * Each RPC is also served as REST/JSON by gateway/rest at the path of its google.api.http
   * rule (the same request and response messages in their proto3 JSON form; errors are a
   * google.rpc.Status under the HTTP status of its code); Chat streams newline-delimited JSON.
   * </pre>
   */
  public static abstract class GatewayServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return GatewayServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service GatewayService.
   * <pre>
   * The public API of memgrid. Every call must carry an API key in the "x-api-key" metadata
   * entry (or "authorization: Bearer &lt;key&gt;"); without one, or with an unknown one, it fails
   * with UNAUTHENTICATED. The key decides the tenant, and an end-user key also the one user
   * it acts for: naming another user is PERMISSION_DENIED, and another user's memories and
   * jobs are NOT_FOUND through it. Every RPC answers INVALID_ARGUMENT with a BadRequest
   * detail naming each bad field and writes nothing then; UNAVAILABLE when a service it
   * needs is down (safe to retry with the same idempotency key); DEADLINE_EXCEEDED when the
   * caller's deadline ran out.
   * Each RPC is also served as REST/JSON by gateway/rest at the path of its google.api.http
   * rule (the same request and response messages in their proto3 JSON form; errors are a
   * google.rpc.Status under the HTTP status of its code); Chat streams newline-delimited JSON.
   * </pre>
   */
  public static final class GatewayServiceStub
      extends io.grpc.stub.AbstractAsyncStub<GatewayServiceStub> {
    private GatewayServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GatewayServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GatewayServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Appends conversation turns to a session; they are stored before the call returns and
     * consolidated in the background. FAILED_PRECONDITION: idempotency key reused with a
     * different request. PERMISSION_DENIED: the cube is not the user's. NOT_FOUND: no such
     * cube.
     * </pre>
     */
    public void addMessages(dev.memgrid.gateway.v1.AddMessagesRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.AddMessagesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getAddMessagesMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Stores a batch of memories atomically. Same errors as AddMessages.
     * </pre>
     */
    public void addMemories(dev.memgrid.gateway.v1.AddMemoriesRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.AddMemoriesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getAddMemoriesMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * NOT_FOUND: no such memory in the caller's tenant (or it expired).
     * </pre>
     */
    public void getMemory(dev.memgrid.gateway.v1.GetMemoryRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetMemoryResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetMemoryMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Up to MEMGRID_MAX_BATCH ids; ids not found are listed, not an error.
     * RESOURCE_EXHAUSTED: the memories come to more than MEMGRID_MAX_REPLY_BYTES (8 MiB);
     * ask for fewer ids at a time.
     * </pre>
     */
    public void batchGetMemories(dev.memgrid.gateway.v1.BatchGetMemoriesRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.BatchGetMemoriesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getBatchGetMemoriesMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Changes the masked fields, keeping the old version in history. NOT_FOUND: no such
     * memory. ABORTED: expected_version is stale; re-read and retry.
     * </pre>
     */
    public void updateMemory(dev.memgrid.gateway.v1.UpdateMemoryRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.UpdateMemoryResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getUpdateMemoryMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Deletes a memory and its history from memory-store and from every derived store.
     * NOT_FOUND: no such memory.
     * </pre>
     */
    public void deleteMemory(dev.memgrid.gateway.v1.DeleteMemoryRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.DeleteMemoryResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteMemoryMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Deletes every memory matching a filter, which must name the user whose memories go.
     * INVALID_ARGUMENT: no filter.user_id. PERMISSION_DENIED: a cube the user does not own.
     * </pre>
     */
    public void deleteMemories(dev.memgrid.gateway.v1.DeleteMemoriesRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.DeleteMemoriesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteMemoriesMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Erases everything of one user in the caller's tenant: messages, everything derived
     * from them (facts, profile, patterns, episodes, graph links), cubes, finished jobs.
     * Returns a receipt with the counts. INVALID_ARGUMENT: no user_id.
     * </pre>
     */
    public void eraseUser(dev.memgrid.gateway.v1.EraseUserRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.EraseUserResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getEraseUserMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Erases every user of the caller's tenant. INVALID_ARGUMENT: confirm_tenant_id is not
     * the caller's tenant.
     * </pre>
     */
    public void eraseTenant(dev.memgrid.gateway.v1.EraseTenantRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.EraseTenantResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getEraseTenantMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Pages through a user's memories matching a filter, oldest first. INVALID_ARGUMENT: no
     * filter.user_id, or a bad page token. PERMISSION_DENIED: a cube the user may not read.
     * </pre>
     */
    public void listMemories(dev.memgrid.gateway.v1.ListMemoriesRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ListMemoriesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListMemoriesMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Every version of a memory, oldest first. NOT_FOUND: no such memory.
     * </pre>
     */
    public void getMemoryHistory(dev.memgrid.gateway.v1.GetMemoryHistoryRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetMemoryHistoryResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetMemoryHistoryMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Hybrid retrieval over a user's memories (filter.user_id is required). UNAVAILABLE: the search service is down
     * (writes still succeed and are indexed when it is back). PERMISSION_DENIED: a cube the
     * user may not read.
     * </pre>
     */
    public void search(dev.memgrid.gateway.v1.SearchRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.SearchResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSearchMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * A prompt-ready context for answering the user: their profile (as GetProfile), the
     * session's recent turns when session_id is given, and the memories Search finds for
     * the query, fitted to the caller's token budget in that priority order. The response
     * holds the text and the parts it was built from, the tokens used and what the budget
     * left out. Scoped like Search: the user's own memories only. INVALID_ARGUMENT: no
     * user_id, no query, or max_tokens, max_memories, max_recent_turns or min_score out of
     * range. A part whose service is down (the thought engine, search) is left out and
     * named in `degraded` rather than failing the call; UNAVAILABLE when memory-store is.
     * </pre>
     */
    public void getContext(dev.memgrid.gateway.v1.GetContextRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetContextResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetContextMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ALREADY_EXISTS: the cube id is taken.
     * </pre>
     */
    public void createCube(dev.memgrid.gateway.v1.CreateCubeRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.CreateCubeResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateCubeMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Cubes the user owns or may read.
     * </pre>
     */
    public void listCubes(dev.memgrid.gateway.v1.ListCubesRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ListCubesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListCubesMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Grants another user read-only access. NOT_FOUND: no such cube. PERMISSION_DENIED: not
     * the owner.
     * </pre>
     */
    public void shareCube(dev.memgrid.gateway.v1.ShareCubeRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ShareCubeResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getShareCubeMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Revokes a grant. NOT_FOUND: no such cube. PERMISSION_DENIED: not the owner.
     * </pre>
     */
    public void unshareCube(dev.memgrid.gateway.v1.UnshareCubeRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.UnshareCubeResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getUnshareCubeMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Consolidates a user's (or one session's) memories now, in the background: episodes,
     * facts and profile, heat and tiers, patterns. Returns the job at once; poll GetJob. An
     * identical request still waiting returns that job. UNAVAILABLE: the thought engine is
     * down or not deployed.
     * </pre>
     */
    public void consolidate(dev.memgrid.gateway.v1.ConsolidateRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ConsolidateResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getConsolidateMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * A background job's state, note and, once dead, its error. NOT_FOUND: no such job of
     * the caller's tenant.
     * </pre>
     */
    public void getJob(dev.memgrid.gateway.v1.GetJobRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetJobResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetJobMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Runs a DEAD background job again, with a fresh attempt count: for work that failed
     * for good once its cause is fixed. INVALID_ARGUMENT: job_id is empty or malformed.
     * NOT_FOUND: no such job of the caller's tenant. FAILED_PRECONDITION: the job is not
     * dead (reason JOB_NOT_DEAD), or the same work is already pending
     * (DUPLICATE_PENDING_JOB). UNAVAILABLE: the thought engine is down or not deployed.
     * </pre>
     */
    public void retryJob(dev.memgrid.gateway.v1.RetryJobRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.RetryJobResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRetryJobMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * The user's current profile and facts about the people around them, as extracted from
     * their messages so far (empty until something was said). UNAVAILABLE: the thought
     * engine is down or not deployed.
     * </pre>
     */
    public void getProfile(dev.memgrid.gateway.v1.GetProfileRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetProfileResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetProfileMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Patterns detected across the user's sessions (recurring topics, entities that come up
     * together, time-of-day and weekday habits). INVALID_ARGUMENT: bad page token.
     * </pre>
     */
    public void listPatterns(dev.memgrid.gateway.v1.ListPatternsRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ListPatternsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListPatternsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Marks a retrieved memory useful or not useful, which raises or lowers its importance
     * and so its rank in Search. NOT_FOUND: no such memory. ABORTED: it changed
     * concurrently; retry.
     * </pre>
     */
    public void recordFeedback(dev.memgrid.gateway.v1.RecordFeedbackRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.RecordFeedbackResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRecordFeedbackMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Answers the user from their memories and profile through the configured LLM, streaming
     * a ChatContext, then the answer's text, then ChatCompleted once both turns are stored
     * in the session. FAILED_PRECONDITION: no LLM configured. RESOURCE_EXHAUSTED: the
     * tenant's LLM token budget is spent. DEADLINE_EXCEEDED / UNAVAILABLE: the LLM timed
     * out or is down (nothing is stored then).
     * </pre>
     */
    public void chat(dev.memgrid.gateway.v1.ChatRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ChatResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncServerStreamingCall(
          getChannel().newCall(getChatMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Entities of the user's graph whose name or alias matches the query (exact, alias, or
     * case-insensitive prefix). INVALID_ARGUMENT: no user_id. UNAVAILABLE: the graph service is down or not deployed.
     * </pre>
     */
    public void findEntities(dev.memgrid.gateway.v1.FindEntitiesRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.FindEntitiesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getFindEntitiesMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Entities within hops of one, following relations that pass the filter. NOT_FOUND: no
     * such entity. INVALID_ARGUMENT: hops above 4.
     * </pre>
     */
    public void getNeighbors(dev.memgrid.gateway.v1.GetNeighborsRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetNeighborsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetNeighborsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * A fewest-hops path between two entities; found is false when none is within max_hops.
     * NOT_FOUND: either entity does not exist.
     * </pre>
     */
    public void shortestPath(dev.memgrid.gateway.v1.ShortestPathRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ShortestPathResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getShortestPathMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * The caller's memories that mention the entities or their neighbours, nearest and most
     * confident first, filtered like Search.
     * </pre>
     */
    public void getRelatedMemories(dev.memgrid.gateway.v1.GetRelatedMemoriesRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetRelatedMemoriesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetRelatedMemoriesMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * The entities a memory mentions and their neighbourhood. NOT_FOUND: the user's graph
     * holds nothing for that memory (another user's memory included).
     * </pre>
     */
    public void getMemoryGraph(dev.memgrid.gateway.v1.GetMemoryGraphRequest request,
        io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetMemoryGraphResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetMemoryGraphMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service GatewayService.
   * <pre>
   * The public API of memgrid. Every call must carry an API key in the "x-api-key" metadata
   * entry (or "authorization: Bearer &lt;key&gt;"); without one, or with an unknown one, it fails
   * with UNAUTHENTICATED. The key decides the tenant, and an end-user key also the one user
   * it acts for: naming another user is PERMISSION_DENIED, and another user's memories and
   * jobs are NOT_FOUND through it. Every RPC answers INVALID_ARGUMENT with a BadRequest
   * detail naming each bad field and writes nothing then; UNAVAILABLE when a service it
   * needs is down (safe to retry with the same idempotency key); DEADLINE_EXCEEDED when the
   * caller's deadline ran out.
   * Each RPC is also served as REST/JSON by gateway/rest at the path of its google.api.http
   * rule (the same request and response messages in their proto3 JSON form; errors are a
   * google.rpc.Status under the HTTP status of its code); Chat streams newline-delimited JSON.
   * </pre>
   */
  public static final class GatewayServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<GatewayServiceBlockingV2Stub> {
    private GatewayServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GatewayServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GatewayServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * Appends conversation turns to a session; they are stored before the call returns and
     * consolidated in the background. FAILED_PRECONDITION: idempotency key reused with a
     * different request. PERMISSION_DENIED: the cube is not the user's. NOT_FOUND: no such
     * cube.
     * </pre>
     */
    public dev.memgrid.gateway.v1.AddMessagesResponse addMessages(dev.memgrid.gateway.v1.AddMessagesRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getAddMessagesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Stores a batch of memories atomically. Same errors as AddMessages.
     * </pre>
     */
    public dev.memgrid.gateway.v1.AddMemoriesResponse addMemories(dev.memgrid.gateway.v1.AddMemoriesRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getAddMemoriesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * NOT_FOUND: no such memory in the caller's tenant (or it expired).
     * </pre>
     */
    public dev.memgrid.gateway.v1.GetMemoryResponse getMemory(dev.memgrid.gateway.v1.GetMemoryRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetMemoryMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Up to MEMGRID_MAX_BATCH ids; ids not found are listed, not an error.
     * RESOURCE_EXHAUSTED: the memories come to more than MEMGRID_MAX_REPLY_BYTES (8 MiB);
     * ask for fewer ids at a time.
     * </pre>
     */
    public dev.memgrid.gateway.v1.BatchGetMemoriesResponse batchGetMemories(dev.memgrid.gateway.v1.BatchGetMemoriesRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getBatchGetMemoriesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Changes the masked fields, keeping the old version in history. NOT_FOUND: no such
     * memory. ABORTED: expected_version is stale; re-read and retry.
     * </pre>
     */
    public dev.memgrid.gateway.v1.UpdateMemoryResponse updateMemory(dev.memgrid.gateway.v1.UpdateMemoryRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getUpdateMemoryMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Deletes a memory and its history from memory-store and from every derived store.
     * NOT_FOUND: no such memory.
     * </pre>
     */
    public dev.memgrid.gateway.v1.DeleteMemoryResponse deleteMemory(dev.memgrid.gateway.v1.DeleteMemoryRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteMemoryMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Deletes every memory matching a filter, which must name the user whose memories go.
     * INVALID_ARGUMENT: no filter.user_id. PERMISSION_DENIED: a cube the user does not own.
     * </pre>
     */
    public dev.memgrid.gateway.v1.DeleteMemoriesResponse deleteMemories(dev.memgrid.gateway.v1.DeleteMemoriesRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteMemoriesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Erases everything of one user in the caller's tenant: messages, everything derived
     * from them (facts, profile, patterns, episodes, graph links), cubes, finished jobs.
     * Returns a receipt with the counts. INVALID_ARGUMENT: no user_id.
     * </pre>
     */
    public dev.memgrid.gateway.v1.EraseUserResponse eraseUser(dev.memgrid.gateway.v1.EraseUserRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getEraseUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Erases every user of the caller's tenant. INVALID_ARGUMENT: confirm_tenant_id is not
     * the caller's tenant.
     * </pre>
     */
    public dev.memgrid.gateway.v1.EraseTenantResponse eraseTenant(dev.memgrid.gateway.v1.EraseTenantRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getEraseTenantMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Pages through a user's memories matching a filter, oldest first. INVALID_ARGUMENT: no
     * filter.user_id, or a bad page token. PERMISSION_DENIED: a cube the user may not read.
     * </pre>
     */
    public dev.memgrid.gateway.v1.ListMemoriesResponse listMemories(dev.memgrid.gateway.v1.ListMemoriesRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListMemoriesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Every version of a memory, oldest first. NOT_FOUND: no such memory.
     * </pre>
     */
    public dev.memgrid.gateway.v1.GetMemoryHistoryResponse getMemoryHistory(dev.memgrid.gateway.v1.GetMemoryHistoryRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetMemoryHistoryMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Hybrid retrieval over a user's memories (filter.user_id is required). UNAVAILABLE: the search service is down
     * (writes still succeed and are indexed when it is back). PERMISSION_DENIED: a cube the
     * user may not read.
     * </pre>
     */
    public dev.memgrid.gateway.v1.SearchResponse search(dev.memgrid.gateway.v1.SearchRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getSearchMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * A prompt-ready context for answering the user: their profile (as GetProfile), the
     * session's recent turns when session_id is given, and the memories Search finds for
     * the query, fitted to the caller's token budget in that priority order. The response
     * holds the text and the parts it was built from, the tokens used and what the budget
     * left out. Scoped like Search: the user's own memories only. INVALID_ARGUMENT: no
     * user_id, no query, or max_tokens, max_memories, max_recent_turns or min_score out of
     * range. A part whose service is down (the thought engine, search) is left out and
     * named in `degraded` rather than failing the call; UNAVAILABLE when memory-store is.
     * </pre>
     */
    public dev.memgrid.gateway.v1.GetContextResponse getContext(dev.memgrid.gateway.v1.GetContextRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetContextMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ALREADY_EXISTS: the cube id is taken.
     * </pre>
     */
    public dev.memgrid.gateway.v1.CreateCubeResponse createCube(dev.memgrid.gateway.v1.CreateCubeRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreateCubeMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Cubes the user owns or may read.
     * </pre>
     */
    public dev.memgrid.gateway.v1.ListCubesResponse listCubes(dev.memgrid.gateway.v1.ListCubesRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListCubesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Grants another user read-only access. NOT_FOUND: no such cube. PERMISSION_DENIED: not
     * the owner.
     * </pre>
     */
    public dev.memgrid.gateway.v1.ShareCubeResponse shareCube(dev.memgrid.gateway.v1.ShareCubeRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getShareCubeMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Revokes a grant. NOT_FOUND: no such cube. PERMISSION_DENIED: not the owner.
     * </pre>
     */
    public dev.memgrid.gateway.v1.UnshareCubeResponse unshareCube(dev.memgrid.gateway.v1.UnshareCubeRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getUnshareCubeMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Consolidates a user's (or one session's) memories now, in the background: episodes,
     * facts and profile, heat and tiers, patterns. Returns the job at once; poll GetJob. An
     * identical request still waiting returns that job. UNAVAILABLE: the thought engine is
     * down or not deployed.
     * </pre>
     */
    public dev.memgrid.gateway.v1.ConsolidateResponse consolidate(dev.memgrid.gateway.v1.ConsolidateRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getConsolidateMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * A background job's state, note and, once dead, its error. NOT_FOUND: no such job of
     * the caller's tenant.
     * </pre>
     */
    public dev.memgrid.gateway.v1.GetJobResponse getJob(dev.memgrid.gateway.v1.GetJobRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetJobMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Runs a DEAD background job again, with a fresh attempt count: for work that failed
     * for good once its cause is fixed. INVALID_ARGUMENT: job_id is empty or malformed.
     * NOT_FOUND: no such job of the caller's tenant. FAILED_PRECONDITION: the job is not
     * dead (reason JOB_NOT_DEAD), or the same work is already pending
     * (DUPLICATE_PENDING_JOB). UNAVAILABLE: the thought engine is down or not deployed.
     * </pre>
     */
    public dev.memgrid.gateway.v1.RetryJobResponse retryJob(dev.memgrid.gateway.v1.RetryJobRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRetryJobMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The user's current profile and facts about the people around them, as extracted from
     * their messages so far (empty until something was said). UNAVAILABLE: the thought
     * engine is down or not deployed.
     * </pre>
     */
    public dev.memgrid.gateway.v1.GetProfileResponse getProfile(dev.memgrid.gateway.v1.GetProfileRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetProfileMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Patterns detected across the user's sessions (recurring topics, entities that come up
     * together, time-of-day and weekday habits). INVALID_ARGUMENT: bad page token.
     * </pre>
     */
    public dev.memgrid.gateway.v1.ListPatternsResponse listPatterns(dev.memgrid.gateway.v1.ListPatternsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListPatternsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Marks a retrieved memory useful or not useful, which raises or lowers its importance
     * and so its rank in Search. NOT_FOUND: no such memory. ABORTED: it changed
     * concurrently; retry.
     * </pre>
     */
    public dev.memgrid.gateway.v1.RecordFeedbackResponse recordFeedback(dev.memgrid.gateway.v1.RecordFeedbackRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRecordFeedbackMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Answers the user from their memories and profile through the configured LLM, streaming
     * a ChatContext, then the answer's text, then ChatCompleted once both turns are stored
     * in the session. FAILED_PRECONDITION: no LLM configured. RESOURCE_EXHAUSTED: the
     * tenant's LLM token budget is spent. DEADLINE_EXCEEDED / UNAVAILABLE: the LLM timed
     * out or is down (nothing is stored then).
     * </pre>
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<?, dev.memgrid.gateway.v1.ChatResponse>
        chat(dev.memgrid.gateway.v1.ChatRequest request) {
      return io.grpc.stub.ClientCalls.blockingV2ServerStreamingCall(
          getChannel(), getChatMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Entities of the user's graph whose name or alias matches the query (exact, alias, or
     * case-insensitive prefix). INVALID_ARGUMENT: no user_id. UNAVAILABLE: the graph service is down or not deployed.
     * </pre>
     */
    public dev.memgrid.gateway.v1.FindEntitiesResponse findEntities(dev.memgrid.gateway.v1.FindEntitiesRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getFindEntitiesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Entities within hops of one, following relations that pass the filter. NOT_FOUND: no
     * such entity. INVALID_ARGUMENT: hops above 4.
     * </pre>
     */
    public dev.memgrid.gateway.v1.GetNeighborsResponse getNeighbors(dev.memgrid.gateway.v1.GetNeighborsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetNeighborsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * A fewest-hops path between two entities; found is false when none is within max_hops.
     * NOT_FOUND: either entity does not exist.
     * </pre>
     */
    public dev.memgrid.gateway.v1.ShortestPathResponse shortestPath(dev.memgrid.gateway.v1.ShortestPathRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getShortestPathMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The caller's memories that mention the entities or their neighbours, nearest and most
     * confident first, filtered like Search.
     * </pre>
     */
    public dev.memgrid.gateway.v1.GetRelatedMemoriesResponse getRelatedMemories(dev.memgrid.gateway.v1.GetRelatedMemoriesRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetRelatedMemoriesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The entities a memory mentions and their neighbourhood. NOT_FOUND: the user's graph
     * holds nothing for that memory (another user's memory included).
     * </pre>
     */
    public dev.memgrid.gateway.v1.GetMemoryGraphResponse getMemoryGraph(dev.memgrid.gateway.v1.GetMemoryGraphRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetMemoryGraphMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service GatewayService.
   * <pre>
   * The public API of memgrid. Every call must carry an API key in the "x-api-key" metadata
   * entry (or "authorization: Bearer &lt;key&gt;"); without one, or with an unknown one, it fails
   * with UNAUTHENTICATED. The key decides the tenant, and an end-user key also the one user
   * it acts for: naming another user is PERMISSION_DENIED, and another user's memories and
   * jobs are NOT_FOUND through it. Every RPC answers INVALID_ARGUMENT with a BadRequest
   * detail naming each bad field and writes nothing then; UNAVAILABLE when a service it
   * needs is down (safe to retry with the same idempotency key); DEADLINE_EXCEEDED when the
   * caller's deadline ran out.
   * Each RPC is also served as REST/JSON by gateway/rest at the path of its google.api.http
   * rule (the same request and response messages in their proto3 JSON form; errors are a
   * google.rpc.Status under the HTTP status of its code); Chat streams newline-delimited JSON.
   * </pre>
   */
  public static final class GatewayServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<GatewayServiceBlockingStub> {
    private GatewayServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GatewayServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GatewayServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Appends conversation turns to a session; they are stored before the call returns and
     * consolidated in the background. FAILED_PRECONDITION: idempotency key reused with a
     * different request. PERMISSION_DENIED: the cube is not the user's. NOT_FOUND: no such
     * cube.
     * </pre>
     */
    public dev.memgrid.gateway.v1.AddMessagesResponse addMessages(dev.memgrid.gateway.v1.AddMessagesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getAddMessagesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Stores a batch of memories atomically. Same errors as AddMessages.
     * </pre>
     */
    public dev.memgrid.gateway.v1.AddMemoriesResponse addMemories(dev.memgrid.gateway.v1.AddMemoriesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getAddMemoriesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * NOT_FOUND: no such memory in the caller's tenant (or it expired).
     * </pre>
     */
    public dev.memgrid.gateway.v1.GetMemoryResponse getMemory(dev.memgrid.gateway.v1.GetMemoryRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetMemoryMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Up to MEMGRID_MAX_BATCH ids; ids not found are listed, not an error.
     * RESOURCE_EXHAUSTED: the memories come to more than MEMGRID_MAX_REPLY_BYTES (8 MiB);
     * ask for fewer ids at a time.
     * </pre>
     */
    public dev.memgrid.gateway.v1.BatchGetMemoriesResponse batchGetMemories(dev.memgrid.gateway.v1.BatchGetMemoriesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getBatchGetMemoriesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Changes the masked fields, keeping the old version in history. NOT_FOUND: no such
     * memory. ABORTED: expected_version is stale; re-read and retry.
     * </pre>
     */
    public dev.memgrid.gateway.v1.UpdateMemoryResponse updateMemory(dev.memgrid.gateway.v1.UpdateMemoryRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getUpdateMemoryMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Deletes a memory and its history from memory-store and from every derived store.
     * NOT_FOUND: no such memory.
     * </pre>
     */
    public dev.memgrid.gateway.v1.DeleteMemoryResponse deleteMemory(dev.memgrid.gateway.v1.DeleteMemoryRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteMemoryMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Deletes every memory matching a filter, which must name the user whose memories go.
     * INVALID_ARGUMENT: no filter.user_id. PERMISSION_DENIED: a cube the user does not own.
     * </pre>
     */
    public dev.memgrid.gateway.v1.DeleteMemoriesResponse deleteMemories(dev.memgrid.gateway.v1.DeleteMemoriesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteMemoriesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Erases everything of one user in the caller's tenant: messages, everything derived
     * from them (facts, profile, patterns, episodes, graph links), cubes, finished jobs.
     * Returns a receipt with the counts. INVALID_ARGUMENT: no user_id.
     * </pre>
     */
    public dev.memgrid.gateway.v1.EraseUserResponse eraseUser(dev.memgrid.gateway.v1.EraseUserRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getEraseUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Erases every user of the caller's tenant. INVALID_ARGUMENT: confirm_tenant_id is not
     * the caller's tenant.
     * </pre>
     */
    public dev.memgrid.gateway.v1.EraseTenantResponse eraseTenant(dev.memgrid.gateway.v1.EraseTenantRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getEraseTenantMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Pages through a user's memories matching a filter, oldest first. INVALID_ARGUMENT: no
     * filter.user_id, or a bad page token. PERMISSION_DENIED: a cube the user may not read.
     * </pre>
     */
    public dev.memgrid.gateway.v1.ListMemoriesResponse listMemories(dev.memgrid.gateway.v1.ListMemoriesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListMemoriesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Every version of a memory, oldest first. NOT_FOUND: no such memory.
     * </pre>
     */
    public dev.memgrid.gateway.v1.GetMemoryHistoryResponse getMemoryHistory(dev.memgrid.gateway.v1.GetMemoryHistoryRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetMemoryHistoryMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Hybrid retrieval over a user's memories (filter.user_id is required). UNAVAILABLE: the search service is down
     * (writes still succeed and are indexed when it is back). PERMISSION_DENIED: a cube the
     * user may not read.
     * </pre>
     */
    public dev.memgrid.gateway.v1.SearchResponse search(dev.memgrid.gateway.v1.SearchRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSearchMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * A prompt-ready context for answering the user: their profile (as GetProfile), the
     * session's recent turns when session_id is given, and the memories Search finds for
     * the query, fitted to the caller's token budget in that priority order. The response
     * holds the text and the parts it was built from, the tokens used and what the budget
     * left out. Scoped like Search: the user's own memories only. INVALID_ARGUMENT: no
     * user_id, no query, or max_tokens, max_memories, max_recent_turns or min_score out of
     * range. A part whose service is down (the thought engine, search) is left out and
     * named in `degraded` rather than failing the call; UNAVAILABLE when memory-store is.
     * </pre>
     */
    public dev.memgrid.gateway.v1.GetContextResponse getContext(dev.memgrid.gateway.v1.GetContextRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetContextMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ALREADY_EXISTS: the cube id is taken.
     * </pre>
     */
    public dev.memgrid.gateway.v1.CreateCubeResponse createCube(dev.memgrid.gateway.v1.CreateCubeRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateCubeMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Cubes the user owns or may read.
     * </pre>
     */
    public dev.memgrid.gateway.v1.ListCubesResponse listCubes(dev.memgrid.gateway.v1.ListCubesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListCubesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Grants another user read-only access. NOT_FOUND: no such cube. PERMISSION_DENIED: not
     * the owner.
     * </pre>
     */
    public dev.memgrid.gateway.v1.ShareCubeResponse shareCube(dev.memgrid.gateway.v1.ShareCubeRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getShareCubeMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Revokes a grant. NOT_FOUND: no such cube. PERMISSION_DENIED: not the owner.
     * </pre>
     */
    public dev.memgrid.gateway.v1.UnshareCubeResponse unshareCube(dev.memgrid.gateway.v1.UnshareCubeRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getUnshareCubeMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Consolidates a user's (or one session's) memories now, in the background: episodes,
     * facts and profile, heat and tiers, patterns. Returns the job at once; poll GetJob. An
     * identical request still waiting returns that job. UNAVAILABLE: the thought engine is
     * down or not deployed.
     * </pre>
     */
    public dev.memgrid.gateway.v1.ConsolidateResponse consolidate(dev.memgrid.gateway.v1.ConsolidateRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getConsolidateMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * A background job's state, note and, once dead, its error. NOT_FOUND: no such job of
     * the caller's tenant.
     * </pre>
     */
    public dev.memgrid.gateway.v1.GetJobResponse getJob(dev.memgrid.gateway.v1.GetJobRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetJobMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Runs a DEAD background job again, with a fresh attempt count: for work that failed
     * for good once its cause is fixed. INVALID_ARGUMENT: job_id is empty or malformed.
     * NOT_FOUND: no such job of the caller's tenant. FAILED_PRECONDITION: the job is not
     * dead (reason JOB_NOT_DEAD), or the same work is already pending
     * (DUPLICATE_PENDING_JOB). UNAVAILABLE: the thought engine is down or not deployed.
     * </pre>
     */
    public dev.memgrid.gateway.v1.RetryJobResponse retryJob(dev.memgrid.gateway.v1.RetryJobRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRetryJobMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The user's current profile and facts about the people around them, as extracted from
     * their messages so far (empty until something was said). UNAVAILABLE: the thought
     * engine is down or not deployed.
     * </pre>
     */
    public dev.memgrid.gateway.v1.GetProfileResponse getProfile(dev.memgrid.gateway.v1.GetProfileRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetProfileMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Patterns detected across the user's sessions (recurring topics, entities that come up
     * together, time-of-day and weekday habits). INVALID_ARGUMENT: bad page token.
     * </pre>
     */
    public dev.memgrid.gateway.v1.ListPatternsResponse listPatterns(dev.memgrid.gateway.v1.ListPatternsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListPatternsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Marks a retrieved memory useful or not useful, which raises or lowers its importance
     * and so its rank in Search. NOT_FOUND: no such memory. ABORTED: it changed
     * concurrently; retry.
     * </pre>
     */
    public dev.memgrid.gateway.v1.RecordFeedbackResponse recordFeedback(dev.memgrid.gateway.v1.RecordFeedbackRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRecordFeedbackMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Answers the user from their memories and profile through the configured LLM, streaming
     * a ChatContext, then the answer's text, then ChatCompleted once both turns are stored
     * in the session. FAILED_PRECONDITION: no LLM configured. RESOURCE_EXHAUSTED: the
     * tenant's LLM token budget is spent. DEADLINE_EXCEEDED / UNAVAILABLE: the LLM timed
     * out or is down (nothing is stored then).
     * </pre>
     */
    public java.util.Iterator<dev.memgrid.gateway.v1.ChatResponse> chat(
        dev.memgrid.gateway.v1.ChatRequest request) {
      return io.grpc.stub.ClientCalls.blockingServerStreamingCall(
          getChannel(), getChatMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Entities of the user's graph whose name or alias matches the query (exact, alias, or
     * case-insensitive prefix). INVALID_ARGUMENT: no user_id. UNAVAILABLE: the graph service is down or not deployed.
     * </pre>
     */
    public dev.memgrid.gateway.v1.FindEntitiesResponse findEntities(dev.memgrid.gateway.v1.FindEntitiesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getFindEntitiesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Entities within hops of one, following relations that pass the filter. NOT_FOUND: no
     * such entity. INVALID_ARGUMENT: hops above 4.
     * </pre>
     */
    public dev.memgrid.gateway.v1.GetNeighborsResponse getNeighbors(dev.memgrid.gateway.v1.GetNeighborsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetNeighborsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * A fewest-hops path between two entities; found is false when none is within max_hops.
     * NOT_FOUND: either entity does not exist.
     * </pre>
     */
    public dev.memgrid.gateway.v1.ShortestPathResponse shortestPath(dev.memgrid.gateway.v1.ShortestPathRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getShortestPathMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The caller's memories that mention the entities or their neighbours, nearest and most
     * confident first, filtered like Search.
     * </pre>
     */
    public dev.memgrid.gateway.v1.GetRelatedMemoriesResponse getRelatedMemories(dev.memgrid.gateway.v1.GetRelatedMemoriesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetRelatedMemoriesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The entities a memory mentions and their neighbourhood. NOT_FOUND: the user's graph
     * holds nothing for that memory (another user's memory included).
     * </pre>
     */
    public dev.memgrid.gateway.v1.GetMemoryGraphResponse getMemoryGraph(dev.memgrid.gateway.v1.GetMemoryGraphRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetMemoryGraphMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service GatewayService.
   * <pre>
   * The public API of memgrid. Every call must carry an API key in the "x-api-key" metadata
   * entry (or "authorization: Bearer &lt;key&gt;"); without one, or with an unknown one, it fails
   * with UNAUTHENTICATED. The key decides the tenant, and an end-user key also the one user
   * it acts for: naming another user is PERMISSION_DENIED, and another user's memories and
   * jobs are NOT_FOUND through it. Every RPC answers INVALID_ARGUMENT with a BadRequest
   * detail naming each bad field and writes nothing then; UNAVAILABLE when a service it
   * needs is down (safe to retry with the same idempotency key); DEADLINE_EXCEEDED when the
   * caller's deadline ran out.
   * Each RPC is also served as REST/JSON by gateway/rest at the path of its google.api.http
   * rule (the same request and response messages in their proto3 JSON form; errors are a
   * google.rpc.Status under the HTTP status of its code); Chat streams newline-delimited JSON.
   * </pre>
   */
  public static final class GatewayServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<GatewayServiceFutureStub> {
    private GatewayServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected GatewayServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new GatewayServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Appends conversation turns to a session; they are stored before the call returns and
     * consolidated in the background. FAILED_PRECONDITION: idempotency key reused with a
     * different request. PERMISSION_DENIED: the cube is not the user's. NOT_FOUND: no such
     * cube.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.AddMessagesResponse> addMessages(
        dev.memgrid.gateway.v1.AddMessagesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getAddMessagesMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Stores a batch of memories atomically. Same errors as AddMessages.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.AddMemoriesResponse> addMemories(
        dev.memgrid.gateway.v1.AddMemoriesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getAddMemoriesMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * NOT_FOUND: no such memory in the caller's tenant (or it expired).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.GetMemoryResponse> getMemory(
        dev.memgrid.gateway.v1.GetMemoryRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetMemoryMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Up to MEMGRID_MAX_BATCH ids; ids not found are listed, not an error.
     * RESOURCE_EXHAUSTED: the memories come to more than MEMGRID_MAX_REPLY_BYTES (8 MiB);
     * ask for fewer ids at a time.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.BatchGetMemoriesResponse> batchGetMemories(
        dev.memgrid.gateway.v1.BatchGetMemoriesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getBatchGetMemoriesMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Changes the masked fields, keeping the old version in history. NOT_FOUND: no such
     * memory. ABORTED: expected_version is stale; re-read and retry.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.UpdateMemoryResponse> updateMemory(
        dev.memgrid.gateway.v1.UpdateMemoryRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getUpdateMemoryMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Deletes a memory and its history from memory-store and from every derived store.
     * NOT_FOUND: no such memory.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.DeleteMemoryResponse> deleteMemory(
        dev.memgrid.gateway.v1.DeleteMemoryRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteMemoryMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Deletes every memory matching a filter, which must name the user whose memories go.
     * INVALID_ARGUMENT: no filter.user_id. PERMISSION_DENIED: a cube the user does not own.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.DeleteMemoriesResponse> deleteMemories(
        dev.memgrid.gateway.v1.DeleteMemoriesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteMemoriesMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Erases everything of one user in the caller's tenant: messages, everything derived
     * from them (facts, profile, patterns, episodes, graph links), cubes, finished jobs.
     * Returns a receipt with the counts. INVALID_ARGUMENT: no user_id.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.EraseUserResponse> eraseUser(
        dev.memgrid.gateway.v1.EraseUserRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getEraseUserMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Erases every user of the caller's tenant. INVALID_ARGUMENT: confirm_tenant_id is not
     * the caller's tenant.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.EraseTenantResponse> eraseTenant(
        dev.memgrid.gateway.v1.EraseTenantRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getEraseTenantMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Pages through a user's memories matching a filter, oldest first. INVALID_ARGUMENT: no
     * filter.user_id, or a bad page token. PERMISSION_DENIED: a cube the user may not read.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.ListMemoriesResponse> listMemories(
        dev.memgrid.gateway.v1.ListMemoriesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListMemoriesMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Every version of a memory, oldest first. NOT_FOUND: no such memory.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.GetMemoryHistoryResponse> getMemoryHistory(
        dev.memgrid.gateway.v1.GetMemoryHistoryRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetMemoryHistoryMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Hybrid retrieval over a user's memories (filter.user_id is required). UNAVAILABLE: the search service is down
     * (writes still succeed and are indexed when it is back). PERMISSION_DENIED: a cube the
     * user may not read.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.SearchResponse> search(
        dev.memgrid.gateway.v1.SearchRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSearchMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * A prompt-ready context for answering the user: their profile (as GetProfile), the
     * session's recent turns when session_id is given, and the memories Search finds for
     * the query, fitted to the caller's token budget in that priority order. The response
     * holds the text and the parts it was built from, the tokens used and what the budget
     * left out. Scoped like Search: the user's own memories only. INVALID_ARGUMENT: no
     * user_id, no query, or max_tokens, max_memories, max_recent_turns or min_score out of
     * range. A part whose service is down (the thought engine, search) is left out and
     * named in `degraded` rather than failing the call; UNAVAILABLE when memory-store is.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.GetContextResponse> getContext(
        dev.memgrid.gateway.v1.GetContextRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetContextMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ALREADY_EXISTS: the cube id is taken.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.CreateCubeResponse> createCube(
        dev.memgrid.gateway.v1.CreateCubeRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateCubeMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Cubes the user owns or may read.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.ListCubesResponse> listCubes(
        dev.memgrid.gateway.v1.ListCubesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListCubesMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Grants another user read-only access. NOT_FOUND: no such cube. PERMISSION_DENIED: not
     * the owner.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.ShareCubeResponse> shareCube(
        dev.memgrid.gateway.v1.ShareCubeRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getShareCubeMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Revokes a grant. NOT_FOUND: no such cube. PERMISSION_DENIED: not the owner.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.UnshareCubeResponse> unshareCube(
        dev.memgrid.gateway.v1.UnshareCubeRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getUnshareCubeMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Consolidates a user's (or one session's) memories now, in the background: episodes,
     * facts and profile, heat and tiers, patterns. Returns the job at once; poll GetJob. An
     * identical request still waiting returns that job. UNAVAILABLE: the thought engine is
     * down or not deployed.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.ConsolidateResponse> consolidate(
        dev.memgrid.gateway.v1.ConsolidateRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getConsolidateMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * A background job's state, note and, once dead, its error. NOT_FOUND: no such job of
     * the caller's tenant.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.GetJobResponse> getJob(
        dev.memgrid.gateway.v1.GetJobRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetJobMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Runs a DEAD background job again, with a fresh attempt count: for work that failed
     * for good once its cause is fixed. INVALID_ARGUMENT: job_id is empty or malformed.
     * NOT_FOUND: no such job of the caller's tenant. FAILED_PRECONDITION: the job is not
     * dead (reason JOB_NOT_DEAD), or the same work is already pending
     * (DUPLICATE_PENDING_JOB). UNAVAILABLE: the thought engine is down or not deployed.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.RetryJobResponse> retryJob(
        dev.memgrid.gateway.v1.RetryJobRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRetryJobMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * The user's current profile and facts about the people around them, as extracted from
     * their messages so far (empty until something was said). UNAVAILABLE: the thought
     * engine is down or not deployed.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.GetProfileResponse> getProfile(
        dev.memgrid.gateway.v1.GetProfileRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetProfileMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Patterns detected across the user's sessions (recurring topics, entities that come up
     * together, time-of-day and weekday habits). INVALID_ARGUMENT: bad page token.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.ListPatternsResponse> listPatterns(
        dev.memgrid.gateway.v1.ListPatternsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListPatternsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Marks a retrieved memory useful or not useful, which raises or lowers its importance
     * and so its rank in Search. NOT_FOUND: no such memory. ABORTED: it changed
     * concurrently; retry.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.RecordFeedbackResponse> recordFeedback(
        dev.memgrid.gateway.v1.RecordFeedbackRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRecordFeedbackMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Entities of the user's graph whose name or alias matches the query (exact, alias, or
     * case-insensitive prefix). INVALID_ARGUMENT: no user_id. UNAVAILABLE: the graph service is down or not deployed.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.FindEntitiesResponse> findEntities(
        dev.memgrid.gateway.v1.FindEntitiesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getFindEntitiesMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Entities within hops of one, following relations that pass the filter. NOT_FOUND: no
     * such entity. INVALID_ARGUMENT: hops above 4.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.GetNeighborsResponse> getNeighbors(
        dev.memgrid.gateway.v1.GetNeighborsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetNeighborsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * A fewest-hops path between two entities; found is false when none is within max_hops.
     * NOT_FOUND: either entity does not exist.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.ShortestPathResponse> shortestPath(
        dev.memgrid.gateway.v1.ShortestPathRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getShortestPathMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * The caller's memories that mention the entities or their neighbours, nearest and most
     * confident first, filtered like Search.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.GetRelatedMemoriesResponse> getRelatedMemories(
        dev.memgrid.gateway.v1.GetRelatedMemoriesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetRelatedMemoriesMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * The entities a memory mentions and their neighbourhood. NOT_FOUND: the user's graph
     * holds nothing for that memory (another user's memory included).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.memgrid.gateway.v1.GetMemoryGraphResponse> getMemoryGraph(
        dev.memgrid.gateway.v1.GetMemoryGraphRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetMemoryGraphMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_ADD_MESSAGES = 0;
  private static final int METHODID_ADD_MEMORIES = 1;
  private static final int METHODID_GET_MEMORY = 2;
  private static final int METHODID_BATCH_GET_MEMORIES = 3;
  private static final int METHODID_UPDATE_MEMORY = 4;
  private static final int METHODID_DELETE_MEMORY = 5;
  private static final int METHODID_DELETE_MEMORIES = 6;
  private static final int METHODID_ERASE_USER = 7;
  private static final int METHODID_ERASE_TENANT = 8;
  private static final int METHODID_LIST_MEMORIES = 9;
  private static final int METHODID_GET_MEMORY_HISTORY = 10;
  private static final int METHODID_SEARCH = 11;
  private static final int METHODID_GET_CONTEXT = 12;
  private static final int METHODID_CREATE_CUBE = 13;
  private static final int METHODID_LIST_CUBES = 14;
  private static final int METHODID_SHARE_CUBE = 15;
  private static final int METHODID_UNSHARE_CUBE = 16;
  private static final int METHODID_CONSOLIDATE = 17;
  private static final int METHODID_GET_JOB = 18;
  private static final int METHODID_RETRY_JOB = 19;
  private static final int METHODID_GET_PROFILE = 20;
  private static final int METHODID_LIST_PATTERNS = 21;
  private static final int METHODID_RECORD_FEEDBACK = 22;
  private static final int METHODID_CHAT = 23;
  private static final int METHODID_FIND_ENTITIES = 24;
  private static final int METHODID_GET_NEIGHBORS = 25;
  private static final int METHODID_SHORTEST_PATH = 26;
  private static final int METHODID_GET_RELATED_MEMORIES = 27;
  private static final int METHODID_GET_MEMORY_GRAPH = 28;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final AsyncService serviceImpl;
    private final int methodId;

    MethodHandlers(AsyncService serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_ADD_MESSAGES:
          serviceImpl.addMessages((dev.memgrid.gateway.v1.AddMessagesRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.AddMessagesResponse>) responseObserver);
          break;
        case METHODID_ADD_MEMORIES:
          serviceImpl.addMemories((dev.memgrid.gateway.v1.AddMemoriesRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.AddMemoriesResponse>) responseObserver);
          break;
        case METHODID_GET_MEMORY:
          serviceImpl.getMemory((dev.memgrid.gateway.v1.GetMemoryRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetMemoryResponse>) responseObserver);
          break;
        case METHODID_BATCH_GET_MEMORIES:
          serviceImpl.batchGetMemories((dev.memgrid.gateway.v1.BatchGetMemoriesRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.BatchGetMemoriesResponse>) responseObserver);
          break;
        case METHODID_UPDATE_MEMORY:
          serviceImpl.updateMemory((dev.memgrid.gateway.v1.UpdateMemoryRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.UpdateMemoryResponse>) responseObserver);
          break;
        case METHODID_DELETE_MEMORY:
          serviceImpl.deleteMemory((dev.memgrid.gateway.v1.DeleteMemoryRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.DeleteMemoryResponse>) responseObserver);
          break;
        case METHODID_DELETE_MEMORIES:
          serviceImpl.deleteMemories((dev.memgrid.gateway.v1.DeleteMemoriesRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.DeleteMemoriesResponse>) responseObserver);
          break;
        case METHODID_ERASE_USER:
          serviceImpl.eraseUser((dev.memgrid.gateway.v1.EraseUserRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.EraseUserResponse>) responseObserver);
          break;
        case METHODID_ERASE_TENANT:
          serviceImpl.eraseTenant((dev.memgrid.gateway.v1.EraseTenantRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.EraseTenantResponse>) responseObserver);
          break;
        case METHODID_LIST_MEMORIES:
          serviceImpl.listMemories((dev.memgrid.gateway.v1.ListMemoriesRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ListMemoriesResponse>) responseObserver);
          break;
        case METHODID_GET_MEMORY_HISTORY:
          serviceImpl.getMemoryHistory((dev.memgrid.gateway.v1.GetMemoryHistoryRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetMemoryHistoryResponse>) responseObserver);
          break;
        case METHODID_SEARCH:
          serviceImpl.search((dev.memgrid.gateway.v1.SearchRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.SearchResponse>) responseObserver);
          break;
        case METHODID_GET_CONTEXT:
          serviceImpl.getContext((dev.memgrid.gateway.v1.GetContextRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetContextResponse>) responseObserver);
          break;
        case METHODID_CREATE_CUBE:
          serviceImpl.createCube((dev.memgrid.gateway.v1.CreateCubeRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.CreateCubeResponse>) responseObserver);
          break;
        case METHODID_LIST_CUBES:
          serviceImpl.listCubes((dev.memgrid.gateway.v1.ListCubesRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ListCubesResponse>) responseObserver);
          break;
        case METHODID_SHARE_CUBE:
          serviceImpl.shareCube((dev.memgrid.gateway.v1.ShareCubeRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ShareCubeResponse>) responseObserver);
          break;
        case METHODID_UNSHARE_CUBE:
          serviceImpl.unshareCube((dev.memgrid.gateway.v1.UnshareCubeRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.UnshareCubeResponse>) responseObserver);
          break;
        case METHODID_CONSOLIDATE:
          serviceImpl.consolidate((dev.memgrid.gateway.v1.ConsolidateRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ConsolidateResponse>) responseObserver);
          break;
        case METHODID_GET_JOB:
          serviceImpl.getJob((dev.memgrid.gateway.v1.GetJobRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetJobResponse>) responseObserver);
          break;
        case METHODID_RETRY_JOB:
          serviceImpl.retryJob((dev.memgrid.gateway.v1.RetryJobRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.RetryJobResponse>) responseObserver);
          break;
        case METHODID_GET_PROFILE:
          serviceImpl.getProfile((dev.memgrid.gateway.v1.GetProfileRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetProfileResponse>) responseObserver);
          break;
        case METHODID_LIST_PATTERNS:
          serviceImpl.listPatterns((dev.memgrid.gateway.v1.ListPatternsRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ListPatternsResponse>) responseObserver);
          break;
        case METHODID_RECORD_FEEDBACK:
          serviceImpl.recordFeedback((dev.memgrid.gateway.v1.RecordFeedbackRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.RecordFeedbackResponse>) responseObserver);
          break;
        case METHODID_CHAT:
          serviceImpl.chat((dev.memgrid.gateway.v1.ChatRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ChatResponse>) responseObserver);
          break;
        case METHODID_FIND_ENTITIES:
          serviceImpl.findEntities((dev.memgrid.gateway.v1.FindEntitiesRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.FindEntitiesResponse>) responseObserver);
          break;
        case METHODID_GET_NEIGHBORS:
          serviceImpl.getNeighbors((dev.memgrid.gateway.v1.GetNeighborsRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetNeighborsResponse>) responseObserver);
          break;
        case METHODID_SHORTEST_PATH:
          serviceImpl.shortestPath((dev.memgrid.gateway.v1.ShortestPathRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.ShortestPathResponse>) responseObserver);
          break;
        case METHODID_GET_RELATED_MEMORIES:
          serviceImpl.getRelatedMemories((dev.memgrid.gateway.v1.GetRelatedMemoriesRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetRelatedMemoriesResponse>) responseObserver);
          break;
        case METHODID_GET_MEMORY_GRAPH:
          serviceImpl.getMemoryGraph((dev.memgrid.gateway.v1.GetMemoryGraphRequest) request,
              (io.grpc.stub.StreamObserver<dev.memgrid.gateway.v1.GetMemoryGraphResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        default:
          throw new AssertionError();
      }
    }
  }

  public static final io.grpc.ServerServiceDefinition bindService(AsyncService service) {
    return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
        .addMethod(
          getAddMessagesMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.AddMessagesRequest,
              dev.memgrid.gateway.v1.AddMessagesResponse>(
                service, METHODID_ADD_MESSAGES)))
        .addMethod(
          getAddMemoriesMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.AddMemoriesRequest,
              dev.memgrid.gateway.v1.AddMemoriesResponse>(
                service, METHODID_ADD_MEMORIES)))
        .addMethod(
          getGetMemoryMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.GetMemoryRequest,
              dev.memgrid.gateway.v1.GetMemoryResponse>(
                service, METHODID_GET_MEMORY)))
        .addMethod(
          getBatchGetMemoriesMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.BatchGetMemoriesRequest,
              dev.memgrid.gateway.v1.BatchGetMemoriesResponse>(
                service, METHODID_BATCH_GET_MEMORIES)))
        .addMethod(
          getUpdateMemoryMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.UpdateMemoryRequest,
              dev.memgrid.gateway.v1.UpdateMemoryResponse>(
                service, METHODID_UPDATE_MEMORY)))
        .addMethod(
          getDeleteMemoryMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.DeleteMemoryRequest,
              dev.memgrid.gateway.v1.DeleteMemoryResponse>(
                service, METHODID_DELETE_MEMORY)))
        .addMethod(
          getDeleteMemoriesMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.DeleteMemoriesRequest,
              dev.memgrid.gateway.v1.DeleteMemoriesResponse>(
                service, METHODID_DELETE_MEMORIES)))
        .addMethod(
          getEraseUserMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.EraseUserRequest,
              dev.memgrid.gateway.v1.EraseUserResponse>(
                service, METHODID_ERASE_USER)))
        .addMethod(
          getEraseTenantMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.EraseTenantRequest,
              dev.memgrid.gateway.v1.EraseTenantResponse>(
                service, METHODID_ERASE_TENANT)))
        .addMethod(
          getListMemoriesMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.ListMemoriesRequest,
              dev.memgrid.gateway.v1.ListMemoriesResponse>(
                service, METHODID_LIST_MEMORIES)))
        .addMethod(
          getGetMemoryHistoryMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.GetMemoryHistoryRequest,
              dev.memgrid.gateway.v1.GetMemoryHistoryResponse>(
                service, METHODID_GET_MEMORY_HISTORY)))
        .addMethod(
          getSearchMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.SearchRequest,
              dev.memgrid.gateway.v1.SearchResponse>(
                service, METHODID_SEARCH)))
        .addMethod(
          getGetContextMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.GetContextRequest,
              dev.memgrid.gateway.v1.GetContextResponse>(
                service, METHODID_GET_CONTEXT)))
        .addMethod(
          getCreateCubeMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.CreateCubeRequest,
              dev.memgrid.gateway.v1.CreateCubeResponse>(
                service, METHODID_CREATE_CUBE)))
        .addMethod(
          getListCubesMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.ListCubesRequest,
              dev.memgrid.gateway.v1.ListCubesResponse>(
                service, METHODID_LIST_CUBES)))
        .addMethod(
          getShareCubeMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.ShareCubeRequest,
              dev.memgrid.gateway.v1.ShareCubeResponse>(
                service, METHODID_SHARE_CUBE)))
        .addMethod(
          getUnshareCubeMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.UnshareCubeRequest,
              dev.memgrid.gateway.v1.UnshareCubeResponse>(
                service, METHODID_UNSHARE_CUBE)))
        .addMethod(
          getConsolidateMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.ConsolidateRequest,
              dev.memgrid.gateway.v1.ConsolidateResponse>(
                service, METHODID_CONSOLIDATE)))
        .addMethod(
          getGetJobMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.GetJobRequest,
              dev.memgrid.gateway.v1.GetJobResponse>(
                service, METHODID_GET_JOB)))
        .addMethod(
          getRetryJobMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.RetryJobRequest,
              dev.memgrid.gateway.v1.RetryJobResponse>(
                service, METHODID_RETRY_JOB)))
        .addMethod(
          getGetProfileMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.GetProfileRequest,
              dev.memgrid.gateway.v1.GetProfileResponse>(
                service, METHODID_GET_PROFILE)))
        .addMethod(
          getListPatternsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.ListPatternsRequest,
              dev.memgrid.gateway.v1.ListPatternsResponse>(
                service, METHODID_LIST_PATTERNS)))
        .addMethod(
          getRecordFeedbackMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.RecordFeedbackRequest,
              dev.memgrid.gateway.v1.RecordFeedbackResponse>(
                service, METHODID_RECORD_FEEDBACK)))
        .addMethod(
          getChatMethod(),
          io.grpc.stub.ServerCalls.asyncServerStreamingCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.ChatRequest,
              dev.memgrid.gateway.v1.ChatResponse>(
                service, METHODID_CHAT)))
        .addMethod(
          getFindEntitiesMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.FindEntitiesRequest,
              dev.memgrid.gateway.v1.FindEntitiesResponse>(
                service, METHODID_FIND_ENTITIES)))
        .addMethod(
          getGetNeighborsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.GetNeighborsRequest,
              dev.memgrid.gateway.v1.GetNeighborsResponse>(
                service, METHODID_GET_NEIGHBORS)))
        .addMethod(
          getShortestPathMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.ShortestPathRequest,
              dev.memgrid.gateway.v1.ShortestPathResponse>(
                service, METHODID_SHORTEST_PATH)))
        .addMethod(
          getGetRelatedMemoriesMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.GetRelatedMemoriesRequest,
              dev.memgrid.gateway.v1.GetRelatedMemoriesResponse>(
                service, METHODID_GET_RELATED_MEMORIES)))
        .addMethod(
          getGetMemoryGraphMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.memgrid.gateway.v1.GetMemoryGraphRequest,
              dev.memgrid.gateway.v1.GetMemoryGraphResponse>(
                service, METHODID_GET_MEMORY_GRAPH)))
        .build();
  }

  private static abstract class GatewayServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    GatewayServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return dev.memgrid.gateway.v1.ServiceProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("GatewayService");
    }
  }

  private static final class GatewayServiceFileDescriptorSupplier
      extends GatewayServiceBaseDescriptorSupplier {
    GatewayServiceFileDescriptorSupplier() {}
  }

  private static final class GatewayServiceMethodDescriptorSupplier
      extends GatewayServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    GatewayServiceMethodDescriptorSupplier(java.lang.String methodName) {
      this.methodName = methodName;
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (GatewayServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new GatewayServiceFileDescriptorSupplier())
              .addMethod(getAddMessagesMethod())
              .addMethod(getAddMemoriesMethod())
              .addMethod(getGetMemoryMethod())
              .addMethod(getBatchGetMemoriesMethod())
              .addMethod(getUpdateMemoryMethod())
              .addMethod(getDeleteMemoryMethod())
              .addMethod(getDeleteMemoriesMethod())
              .addMethod(getEraseUserMethod())
              .addMethod(getEraseTenantMethod())
              .addMethod(getListMemoriesMethod())
              .addMethod(getGetMemoryHistoryMethod())
              .addMethod(getSearchMethod())
              .addMethod(getGetContextMethod())
              .addMethod(getCreateCubeMethod())
              .addMethod(getListCubesMethod())
              .addMethod(getShareCubeMethod())
              .addMethod(getUnshareCubeMethod())
              .addMethod(getConsolidateMethod())
              .addMethod(getGetJobMethod())
              .addMethod(getRetryJobMethod())
              .addMethod(getGetProfileMethod())
              .addMethod(getListPatternsMethod())
              .addMethod(getRecordFeedbackMethod())
              .addMethod(getChatMethod())
              .addMethod(getFindEntitiesMethod())
              .addMethod(getGetNeighborsMethod())
              .addMethod(getShortestPathMethod())
              .addMethod(getGetRelatedMemoriesMethod())
              .addMethod(getGetMemoryGraphMethod())
              .build();
        }
      }
    }
    return result;
  }
}
