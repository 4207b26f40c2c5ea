package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/gatewayadmin"
)

// The demo tenant `make run` creates through the gateway's admin API.
const (
	demoSlug       = "demo"
	demoAdminEmail = "admin@demo.rapport.local"
)

// gatewayEnv is what a gateway process listening on addr gets beyond every
// service's environment: its metrics listener, the public URL (the door, a
// balancer when the gateway has replicas), and its data key, platform token
// and signing key, kept under <state>/secrets so tokens, encrypted secrets
// and cursors survive a restart and every replica shares them.
func gatewayEnv(stateDir, addr, metricsAddr, publicURL string) ([]string, error) {
	dataKey, err := secret(stateDir, "gateway.data-key")
	if err != nil {
		return nil, err
	}
	raw, err := hex.DecodeString(dataKey)
	if err != nil || len(raw) < 32 {
		return nil, fmt.Errorf("secret gateway.data-key under %s is damaged; delete it", stateDir)
	}
	platform, err := platformToken(stateDir)
	if err != nil {
		return nil, err
	}
	keyFile, err := signingKeyFile(stateDir)
	if err != nil {
		return nil, err
	}
	return []string{
		"GATEWAY_ADDR=" + addr,
		"GATEWAY_METRICS_ADDR=" + metricsAddr,
		"GATEWAY_PUBLIC_URL=" + publicURL,
		"GATEWAY_DATA_KEY=" + base64.StdEncoding.EncodeToString(raw[:32]),
		"GATEWAY_PLATFORM_TOKEN=" + platform,
		"GATEWAY_SIGNING_KEYS=" + keyFile,
		// Webhooks may go to http and loopback URLs: a receiver on this
		// machine (the development setting).
		"GATEWAY_WEBHOOK_ALLOW_PRIVATE=true",
	}, nil
}

// platformToken is the token the launcher uses on the gateway's admin API.
func platformToken(stateDir string) (string, error) {
	return secret(stateDir, "gateway.platform-token")
}

// signingKeyFile returns the path of the gateway's ES256 signing key,
// generating it (PKCS#8 PEM, mode 0600) the first time.
func signingKeyFile(stateDir string) (string, error) {
	path := filepath.Join(stateDir, "secrets", "gateway.signing-key.pem")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if _, err := auth.WriteKeyFile(path); err != nil {
		return "", fmt.Errorf("store the gateway signing key: %w", err)
	}
	return path, nil
}

// bootstrapDemo makes sure tenant demo exists with its administrator active:
// it creates the tenant through the admin API and accepts the invitation
// with password; a tenant that already exists is left as it is. It then
// checks the administrator can sign in.
func bootstrapDemo(ctx context.Context, gatewayURL, platform, password string) error {
	gw := gatewayadmin.New(gatewayURL, platform, 30*time.Second)
	_, inv, err := gw.Create(ctx, gatewayadmin.NewTenant{Slug: demoSlug, Name: "Demo", Tier: "shared",
		Admin: gatewayadmin.Admin{Email: demoAdminEmail, Name: "Demo Admin"}})
	switch {
	case errors.Is(err, gatewayadmin.ErrSlugTaken):
		// made by an earlier run; its administrator keeps that run's password
	case err != nil:
		return fmt.Errorf("create tenant %s: %w", demoSlug, err)
	default:
		if _, err := gw.Activate(ctx, inv.Token, password); err != nil {
			return fmt.Errorf("activate %s: %w", demoAdminEmail, err)
		}
	}
	if _, err := gw.Login(ctx, demoSlug, demoAdminEmail, password); err != nil {
		return fmt.Errorf("sign in as %s: %w (is RAPPORT_DEMO_PASSWORD not the password tenant %s was created with?)",
			demoAdminEmail, err, demoSlug)
	}
	return nil
}
