package starter

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/obs"
)

// Main is a service's main: it runs the command line (CLI) with s's
// schema; serving, it reads the configuration from the environment (exit
// status 2 and one line naming the variable when it is wrong) and runs s as
// Run does, until SIGINT or SIGTERM.
func Main(s Service) {
	os.Exit(CLI{Schema: s.Schema(), Serve: func() int {
		cfg, err := ParseConfig(s.Name, os.Getenv)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: configuration: %v\n", s.Name, err)
			return 2
		}
		return Exec(cfg.Name, cfg.LogLevel, func(ctx context.Context, logger *slog.Logger) error {
			return Run(ctx, cfg, s, logger)
		})
	}}.Run(os.Args[1:]))
}

// Exec runs a program of the platform: it logs JSON at level to standard
// error as name (the default logger too), runs run until SIGINT or SIGTERM
// ends its context, and returns the exit status: 1 when run failed, else 0.
// The gateway, which has a configuration of its own, serves through it;
// services through Main.
func Exec(name string, level slog.Level, run func(ctx context.Context, logger *slog.Logger) error) int {
	return exec(name, level, os.Stderr, run)
}

// exec is Exec logging to w.
func exec(name string, level slog.Level, w io.Writer, run func(ctx context.Context, logger *slog.Logger) error) int {
	logger := slog.New(kitx.LogHandler(obs.NewLogger(name, w, level).Handler()))
	slog.SetDefault(logger)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, logger); err != nil {
		logger.Error(name+" stopped", "error", err.Error())
		return 1
	}
	return 0
}

// Handler is how every program of the platform serves mux: request ids,
// a trace span per request (obs.TraceMux), duration metrics per route
// pattern, and kitx.Routes (problem+json for every error, nosniff,
// no-store, bad path or query text refused). The span wraps the metrics:
// the traced request is a copy, and the mux sets the pattern on the copy
// it is handed, which InstrumentMux must be the one to hold.
func Handler(mux *http.ServeMux, m *obs.Metrics) http.Handler {
	return kitx.RequestID(obs.TraceMux(m.InstrumentMux(kitx.Routes(mux))))
}
