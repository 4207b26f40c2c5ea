package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
)

// The demo tenant `make run` creates through the gateway's admin API.
const (
	demoSlug       = "demo"
	demoAdminEmail = "admin@demo.rapport.local"
)

// gatewayEnv is what the gateway gets beyond every service's environment:
// its metrics listener, and its data key, platform token and signing key,
// kept under <state>/secrets so tokens, encrypted secrets and cursors
// survive a restart.
func gatewayEnv(stateDir, addr, metricsAddr string) ([]string, error) {
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
		"GATEWAY_PUBLIC_URL=http://" + addr,
		"GATEWAY_DATA_KEY=" + base64.StdEncoding.EncodeToString(raw[:32]),
		"GATEWAY_PLATFORM_TOKEN=" + platform,
		"GATEWAY_SIGNING_KEYS=" + keyFile,
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

// demoLogin is how a developer signs in to the demo tenant.
type demoLogin struct {
	Password string
	Created  bool // the tenant was created by this run
}

// bootstrapDemo makes sure tenant demo exists with its administrator active:
// it creates the tenant through the admin API and accepts the invitation
// with password; a tenant that already exists is left as it is. It then
// checks the administrator can sign in.
func bootstrapDemo(ctx context.Context, gatewayURL, platform, password string) (demoLogin, error) {
	var created struct {
		Admin struct {
			InvitationToken string `json:"invitationToken"`
		} `json:"admin"`
	}
	status, err := postJSON(ctx, gatewayURL+"/admin/v1/tenants", platform, map[string]any{
		"slug": demoSlug, "name": "Demo", "tier": "shared", "domains": []string{},
		"admin": map[string]string{"email": demoAdminEmail, "name": "Demo Admin"},
	}, &created)
	isNew := status == http.StatusCreated
	switch {
	case err != nil:
		return demoLogin{}, fmt.Errorf("create tenant %s: %w", demoSlug, err)
	case status == http.StatusConflict:
		// made by an earlier run; its administrator keeps that run's password
	case status == http.StatusCreated:
		status, err = postJSON(ctx, gatewayURL+"/v1/auth/accept-invitation", "",
			map[string]string{"token": created.Admin.InvitationToken, "password": password}, nil)
		if err != nil || status != http.StatusOK {
			return demoLogin{}, fmt.Errorf("activate %s: status %d: %v", demoAdminEmail, status, err)
		}
	default:
		return demoLogin{}, fmt.Errorf("create tenant %s: status %d", demoSlug, status)
	}
	status, err = postJSON(ctx, gatewayURL+"/v1/auth/login", "",
		map[string]string{"tenant": demoSlug, "email": demoAdminEmail, "password": password}, nil)
	if err != nil || status != http.StatusOK {
		return demoLogin{}, fmt.Errorf("sign in as %s: status %d: %v (is RAPPORT_DEMO_PASSWORD not the password tenant %s was created with?)",
			demoAdminEmail, status, err, demoSlug)
	}
	return demoLogin{Password: password, Created: isNew}, nil
}

// postJSON posts body as JSON (with a bearer token when one is given),
// decodes a 2xx answer into out when out is not nil, and returns the status.
func postJSON(ctx context.Context, url, bearer string, body, out any) (int, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	if out != nil && res.StatusCode/100 == 2 {
		if err := json.Unmarshal(raw, out); err != nil {
			return res.StatusCode, errors.Join(fmt.Errorf("decode %s", url), err)
		}
	}
	return res.StatusCode, nil
}
