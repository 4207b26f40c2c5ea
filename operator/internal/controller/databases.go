package controller

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/rapport-crm/rapport/libs/registry"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
	"github.com/rapport-crm/rapport/operator/internal/postgres"
)

// ensureDatabases makes, per service, the database and its two roles on the
// server t names, and the Secret in t's namespace with their URLs.
func (r *TenantReconciler) ensureDatabases(ctx context.Context, t *v1alpha1.Tenant) (string, error) {
	dsn, err := r.adminDSN(ctx, t)
	if err != nil {
		return "", err
	}
	srv, err := r.databases.Server(dsn)
	if err != nil {
		return "", failure(v1alpha1.ReasonDatabaseFailed, err)
	}
	var created []string
	for _, svc := range r.Config.Services {
		d := postgres.For(t.Name, svc)
		made, err := r.ensureDatabase(ctx, t, srv, svc, d)
		if err != nil {
			reason := v1alpha1.ReasonDatabaseFailed
			if errors.Is(err, postgres.ErrUnreachable) {
				reason = v1alpha1.ReasonDatabaseUnreachable
			}
			return "", failure(reason, err)
		}
		if made {
			created = append(created, d.Name)
		}
		t.Status.Databases = union(t.Status.Databases, []string{d.Name})
	}
	if len(created) > 0 {
		r.event(t, corev1.EventTypeNormal, "DatabasesCreated", "Provision", "created %s", strings.Join(created, ", "))
	}
	return fmt.Sprintf("%d databases on the server of Secret %s/%s", len(r.Config.Services), r.Config.Namespace, t.Spec.Database.Server.Name), nil
}

// adminDSN reads the admin DSN of t's database server from its Secret in
// the operator's namespace.
func (r *TenantReconciler) adminDSN(ctx context.Context, t *v1alpha1.Tenant) (string, error) {
	ref := t.Spec.Database.Server
	key := ref.Key
	if key == "" {
		key = "dsn"
	}
	var s corev1.Secret
	if err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: r.Config.Namespace, Name: ref.Name}, &s); err != nil {
		if apierrors.IsNotFound(err) {
			return "", failuref(v1alpha1.ReasonSecretNotFound, "admin DSN Secret %s/%s not found", r.Config.Namespace, ref.Name)
		}
		return "", failuref(v1alpha1.ReasonDatabaseFailed, "admin DSN Secret %s/%s: %w", r.Config.Namespace, ref.Name, err)
	}
	dsn := strings.TrimSpace(string(s.Data[key]))
	if dsn == "" {
		return "", failuref(v1alpha1.ReasonSecretNotFound, "admin DSN Secret %s/%s has no key %s", r.Config.Namespace, ref.Name, key)
	}
	return dsn, nil
}

// ensureDatabase makes one service's database and roles and writes its
// Secret. The roles' passwords live only in that Secret: when it is missing
// new ones are made and set on the roles before the Secret is written, so a
// Secret never holds a password its role does not have. made reports
// whether a role or the database was created.
func (r *TenantReconciler) ensureDatabase(ctx context.Context, t *v1alpha1.Tenant, srv *postgres.Server, svc string, d postgres.Database) (made bool, err error) {
	sec := &corev1.Secret{}
	sec.Namespace, sec.Name = Namespace(t.Name), DatabaseSecret(svc)
	found, err := r.getFresh(ctx, sec)
	if err != nil {
		return false, err
	}
	creds, cursorKey, ok := credentialsOf(sec)
	if !ok {
		creds = postgres.Credentials{OwnerPassword: randomSecret(), AppPassword: randomSecret()}
		cursorKey = randomSecret()
	}
	if made, err = srv.Ensure(ctx, d, creds, !ok); err != nil {
		return made, err
	}
	want := map[string][]byte{
		keyDatabaseURL: []byte(srv.URL(d.Name, d.App, creds.AppPassword)),
		keyMigrateURL:  []byte(srv.URL(d.Name, d.Owner, creds.OwnerPassword)),
		keyCursorKey:   []byte(cursorKey),
	}
	if svc == registry.Marketing {
		want[keyLinkKey] = []byte(linkKeyOf(sec))
	}
	if found && ok && maps.EqualFunc(sec.Data, want, func(a, b []byte) bool { return string(a) == string(b) }) {
		return made, nil
	}
	sec.Labels = merged(sec.Labels, serviceLabels(t, svc))
	sec.Type = corev1.SecretTypeOpaque
	sec.Data = want
	if err := controllerutil.SetControllerReference(t, sec, r.Scheme); err != nil {
		return made, err
	}
	if found {
		err = r.Update(ctx, sec)
	} else {
		err = r.Create(ctx, sec)
	}
	if err != nil {
		return made, fmt.Errorf("write Secret %s/%s: %w", sec.Namespace, sec.Name, err)
	}
	return made, nil
}

// getFresh reads obj by its key from the cache and, when the cache does not
// have it, from the API server, so an object made a moment ago is not taken
// for missing. found is false when neither has it.
func (r *TenantReconciler) getFresh(ctx context.Context, obj client.Object) (found bool, err error) {
	key := client.ObjectKeyFromObject(obj)
	err = r.Get(ctx, key, obj)
	if apierrors.IsNotFound(err) {
		err = r.APIReader.Get(ctx, key, obj)
	}
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// credentialsOf reads the passwords and cursor key back from a database
// Secret; ok is false when it does not hold them all.
func credentialsOf(s *corev1.Secret) (c postgres.Credentials, cursorKey string, ok bool) {
	password := func(key string) string {
		u, err := url.Parse(string(s.Data[key]))
		if err != nil || u.User == nil {
			return ""
		}
		p, _ := u.User.Password()
		return p
	}
	c = postgres.Credentials{OwnerPassword: password(keyMigrateURL), AppPassword: password(keyDatabaseURL)}
	cursorKey = string(s.Data[keyCursorKey])
	return c, cursorKey, c.OwnerPassword != "" && c.AppPassword != "" && len(cursorKey) >= 32
}

// linkKeyOf returns the marketing service's link key that s holds, or a
// new one (32 random bytes, base64) when it holds none: links mailed with
// a key must keep working, so a key once made is kept.
func linkKeyOf(s *corev1.Secret) string {
	if k, err := base64.StdEncoding.DecodeString(string(s.Data[keyLinkKey])); err == nil && len(k) >= 32 {
		return string(s.Data[keyLinkKey])
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.StdEncoding.EncodeToString(b)
}

// randomSecret returns 32 random bytes as 64 hexadecimal characters.
func randomSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}
