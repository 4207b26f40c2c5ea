package starter

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/obs"
)

// Main is a service's main: it reads the configuration from the
// environment (exit status 2 and one line naming the variable when it is
// wrong) and runs s as Exec does.
func Main(s Service) {
	cfg, err := ParseConfig(s.Name, os.Getenv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: configuration: %v\n", s.Name, err)
		os.Exit(2)
	}
	Exec(cfg.Name, cfg.LogLevel, func(ctx context.Context, logger *slog.Logger) error {
		return Run(ctx, cfg, s, logger)
	})
}

// Exec runs a program of the platform: it logs JSON at level to standard
// error as name (the default logger too), runs run until SIGINT or SIGTERM
// ends its context, and exits with status 1 when run fails. The gateway,
// which has a configuration of its own, starts through it; services through
// Main.
func Exec(name string, level slog.Level, run func(ctx context.Context, logger *slog.Logger) error) {
	logger := slog.New(kitx.LogHandler(obs.NewLogger(name, os.Stderr, level).Handler()))
	slog.SetDefault(logger)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	err := run(ctx, logger)
	stop()
	if err != nil {
		logger.Error(name+" stopped", "error", err.Error())
		os.Exit(1)
	}
}

// Handler is how every program of the platform serves mux: request ids,
// duration metrics per route pattern, and kitx.Routes (problem+json for
// every error, nosniff, no-store, bad path or query text refused).
func Handler(mux *http.ServeMux, m *obs.Metrics) http.Handler {
	return kitx.RequestID(m.InstrumentMux(kitx.Routes(mux)))
}
