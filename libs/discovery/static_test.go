package discovery_test

import (
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/discovery"
)

func TestParseStatic(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    map[string]string // service → address
		wantErr string            // substring of the error; "" for none
	}{
		{
			name: "two services",
			in:   "contacts=127.0.0.1:8081,sales=127.0.0.1:8082",
			want: map[string]string{"contacts": "127.0.0.1:8081", "sales": "127.0.0.1:8082"},
		},
		{
			name: "blanks and trailing comma",
			in:   " contacts = localhost:8081 , sales=[::1]:8082, ",
			want: map[string]string{"contacts": "localhost:8081", "sales": "[::1]:8082"},
		},
		{name: "empty", in: "", wantErr: "lists no service"},
		{name: "only commas", in: " , ,", wantErr: "lists no service"},
		{name: "missing equals", in: "contacts=127.0.0.1:8081,sales127.0.0.1:8082", wantErr: `entry 2 "sales127.0.0.1:8082"`},
		{name: "missing service", in: "=127.0.0.1:8081", wantErr: `entry 1 "=127.0.0.1:8081": want service=host:port`},
		{name: "missing address", in: "contacts=", wantErr: `entry 1 "contacts="`},
		{name: "missing port", in: "contacts=127.0.0.1", wantErr: `entry 1 "contacts=127.0.0.1": address`},
		{name: "missing host", in: "contacts=:8081", wantErr: "has no host"},
		{name: "bad port", in: "contacts=127.0.0.1:http", wantErr: `port "http"`},
		{name: "port out of range", in: "contacts=127.0.0.1:70000", wantErr: `port "70000"`},
		{name: "duplicate", in: "contacts=a:1,contacts=b:2", wantErr: "service contacts listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := discovery.ParseStatic(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseStatic(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseStatic(%q): %v", tt.in, err)
			}
			got := make(map[string]string)
			for service := range tt.want {
				instances, err := r.Resolve(t.Context(), service, "acme")
				if err != nil {
					t.Fatalf("Resolve(%q): %v", service, err)
				}
				if len(instances) != 1 {
					t.Fatalf("Resolve(%q) = %v, want one instance", service, instances)
				}
				got[service] = instances[0].Address
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("ParseStatic(%q) resolves %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestStaticResolveUnknown(t *testing.T) {
	r := discovery.NewStatic(map[string]string{"contacts": "127.0.0.1:8081"})
	_, err := r.Resolve(t.Context(), "sales", "")
	if !errors.Is(err, discovery.ErrNotDeployed) {
		t.Errorf("Resolve(sales) error = %v, want ErrNotDeployed", err)
	}
}

func TestParseStaticReplicasAndTenants(t *testing.T) {
	r, err := discovery.ParseStatic("contacts=127.0.0.1:8081|127.0.0.1:8091, contacts@acme=127.0.0.1:9081,sales=127.0.0.1:8082")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, service, tenant string
		want                  []string // addresses
		wantTag               string
	}{
		{"shared replicas", "contacts", "", []string{"127.0.0.1:8081", "127.0.0.1:8091"}, discovery.SharedTag},
		{"dedicated tenant", "contacts", "acme", []string{"127.0.0.1:9081"}, "tenant-acme"},
		{"tenant without its own entry", "contacts", "globex", []string{"127.0.0.1:8081", "127.0.0.1:8091"}, discovery.SharedTag},
		{"service without the tenant's entry", "sales", "acme", []string{"127.0.0.1:8082"}, discovery.SharedTag},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Resolve(t.Context(), tt.service, tt.tenant)
			if err != nil {
				t.Fatal(err)
			}
			var addrs []string
			for _, in := range got {
				addrs = append(addrs, in.Address)
				if len(in.Tags) != 1 || in.Tags[0] != tt.wantTag {
					t.Errorf("instance %s tags = %v, want [%s]", in.ID, in.Tags, tt.wantTag)
				}
			}
			if strings.Join(addrs, " ") != strings.Join(tt.want, " ") {
				t.Errorf("Resolve(%s, %q) = %v, want %v", tt.service, tt.tenant, addrs, tt.want)
			}
		})
	}
	for _, bad := range []string{"contacts@=a:1", "contacts=a:1|", "contacts=a:1|b", "contacts@acme=a:1,contacts@acme=b:2"} {
		if _, err := discovery.ParseStatic(bad); err == nil {
			t.Errorf("ParseStatic(%q) = nil error, want one", bad)
		}
	}
}
