package main

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// marketingEnv is what the marketing service gets beyond every service's
// environment: the gateway's URL, where its tracking, unsubscribe,
// preference and form links point (MARKETING_PUBLIC_URL), and the HMAC key
// that signs them (MARKETING_LINK_KEY), kept under <state>/secrets so that
// the links mailed in one run still work in the next. A variable set in the
// launcher's own environment (getenv) is left to it, and so are
// MARKETING_SMTP_URL, MARKETING_MAIL_FROM and the SMS provider's (unset:
// email sends fail with a clear error, SMS has no provider).
func marketingEnv(stateDir, gatewayURL string, getenv func(string) string) ([]string, error) {
	var env []string
	if getenv("MARKETING_PUBLIC_URL") == "" {
		env = append(env, "MARKETING_PUBLIC_URL="+gatewayURL)
	}
	if getenv("MARKETING_LINK_KEY") == "" {
		key, err := secret(stateDir, "marketing.link-key")
		if err != nil {
			return nil, err
		}
		raw, err := hex.DecodeString(key)
		if err != nil || len(raw) < 32 {
			return nil, fmt.Errorf("secret marketing.link-key under %s is damaged; delete it (the links mailed so far stop working)", stateDir)
		}
		env = append(env, "MARKETING_LINK_KEY="+base64.StdEncoding.EncodeToString(raw))
	}
	return env, nil
}
