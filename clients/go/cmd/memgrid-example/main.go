// Command memgrid-example stores a memory through the memgrid gateway and finds it again
// with a search, printing what it did. It exits 1 on any failure.
//
// It reads MEMGRID_ADDRESS (default 127.0.0.1:50051) and MEMGRID_API_KEY (default the key
// `make run` configures).
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	commonv1 "memgrid.dev/clients/go/memgrid/common/v1"
	gatewayv1 "memgrid.dev/clients/go/memgrid/gateway/v1"
)

const (
	content = "The example user drinks green tea every morning."
	query   = "what does the user drink in the morning"
	// A memory is searchable when AddMemories returns unless its propagation says PENDING;
	// then the outbox indexes it shortly, so the search is retried for this long.
	indexingGrace = 5 * time.Second
	callTimeout   = 10 * time.Second
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "memgrid-example (go): %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	address := envOr("MEMGRID_ADDRESS", "127.0.0.1:50051")
	apiKey := envOr("MEMGRID_API_KEY", "memgrid-dev-key")

	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("connect to %s: %w", address, err)
	}
	defer conn.Close()
	gateway := gatewayv1.NewGatewayServiceClient(conn)
	// The API key travels in the x-api-key metadata of every call; it decides the tenant.
	authed := metadata.AppendToOutgoingContext(context.Background(), "x-api-key", apiKey)

	suffix, err := randomHex(6)
	if err != nil {
		return err
	}
	user := "example-go-" + suffix

	ctx, cancel := context.WithTimeout(authed, callTimeout)
	defer cancel()
	added, err := gateway.AddMemories(ctx, &gatewayv1.AddMemoriesRequest{
		Memories: []*commonv1.NewMemory{{
			Scope:   &commonv1.Scope{UserId: user},
			Kind:    commonv1.MemoryKind_MEMORY_KIND_FACT,
			Content: content,
		}},
		// Makes a retry of this exact call safe: the server stores the memory once.
		IdempotencyKey: "example-go-" + suffix,
	})
	if err != nil {
		return describe("AddMemories", err)
	}
	memory := added.GetMemories()[0]
	fmt.Printf("added memory %s for user %s: %q\n", memory.GetId(), user, memory.GetContent())

	deadline := time.Now().Add(indexingGrace)
	for {
		ctx, cancel := context.WithTimeout(authed, callTimeout)
		found, err := gateway.Search(ctx, &gatewayv1.SearchRequest{
			Query:  query,
			Filter: &commonv1.MemoryFilter{UserId: user},
			K:      5,
		})
		cancel()
		if err != nil {
			return describe("Search", err)
		}
		for rank, hit := range found.GetHits() {
			fmt.Printf("hit %d: %s score=%.4f %q\n",
				rank+1, hit.GetMemory().GetId(), hit.GetScore(), hit.GetMemory().GetContent())
			if hit.GetMemory().GetId() == memory.GetId() {
				fmt.Println("ok: search found the memory just added")
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("search for %q did not return memory %s", query, memory.GetId())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// describe names the RPC, the status code and the server's message of a failed call.
func describe(rpc string, err error) error {
	if s, ok := status.FromError(err); ok {
		return fmt.Errorf("%s failed: %s: %s", rpc, s.Code(), s.Message())
	}
	return fmt.Errorf("%s failed: %w", rpc, err)
}

func envOr(name, fallback string) string {
	if value := os.Getenv(name); value != "" {
		return value
	}
	return fallback
}

func randomHex(bytes int) (string, error) {
	buf := make([]byte, bytes)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("random id: %w", err)
	}
	return hex.EncodeToString(buf), nil
}
