package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// binary is a service binary built into a temporary directory.
type binary struct{ path string }

// buildBinary compiles the command package pkg ("./services/gateway/cmd/gateway")
// of the repository at root into dir.
func buildBinary(ctx context.Context, root, dir, pkg string) (binary, error) {
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = root
	if msg, err := cmd.CombinedOutput(); err != nil {
		return binary{}, fmt.Errorf("build %s: %w\n%s", pkg, err, msg)
	}
	return binary{path: out}, nil
}

// start runs the binary with env (added to ours) and waits until base/readyz
// answers 200; stop ends it with SIGTERM.
func (b binary) start(ctx context.Context, base string, env []string) (stop func(), err error) {
	var logs bytes.Buffer
	cmd := exec.Command(b.path)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }() //nolint:errcheck // the exit is seen through exited
	stop = func() {
		cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill() //nolint:errcheck
			<-exited
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return stop, nil
			}
		}
		select {
		case <-exited:
			return nil, fmt.Errorf("%s exited before it was ready:\n%s", filepath.Base(b.path), logs.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			stop()
			return nil, errors.Join(fmt.Errorf("%s never became ready", filepath.Base(b.path)), errors.New(logs.String()))
		}
	}
}

// freeAddr returns a loopback address whose port is free at the moment.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// writeSigningKey generates an ES256 key and stores it as a PKCS #8 PEM
// file in dir, for GATEWAY_SIGNING_KEYS.
func writeSigningKey(dir string) (*ecdsa.PrivateKey, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, "", err
	}
	path := filepath.Join(dir, "signing-key.pem")
	return key, path, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}
