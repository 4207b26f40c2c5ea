package main

import (
	"os"
	"testing"
)

func TestOpenRedis(t *testing.T) {
	real := os.Getenv("TEST_REDIS_URL")
	if real == "" {
		real = "redis://127.0.0.1:6379/0"
	}
	tests := []struct {
		url        string
		wantClient bool
		wantErr    bool
	}{
		{"", false, false},
		{real, true, false},
		{"http://nope", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c, err := openRedis(tt.url)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tt.wantErr)
			}
			if (c != nil) != tt.wantClient {
				t.Fatalf("client %v, want one: %v", c, tt.wantClient)
			}
			if c != nil {
				defer c.Close()
				if err := c.Ping(t.Context()).Err(); err != nil {
					t.Errorf("ping: %v", err)
				}
			}
		})
	}
}
