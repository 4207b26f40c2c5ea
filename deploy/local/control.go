package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/proc"
)

// The control API's errors.
var (
	errUnknownProcess   = errs.New(errs.NotFound, "process-not-found", "no such process")
	errUnknownAction    = errs.New(errs.NotFound, "action-not-found", "no such action")
	errNotOurs          = errs.New(errs.Conflict, "not-launched-here", "the launcher did not start this")
	errUnknownPartition = errs.New(errs.NotFound, "partition-not-found", "no such partition")
)

// ProcessInfo is one process in GET /processes.
type ProcessInfo struct {
	Name       string `json:"name"`    // "contacts-1"
	Service    string `json:"service"` // "contacts"
	Replica    int    `json:"replica"` // from 1
	PID        int    `json:"pid"`
	Addr       string `json:"addr"` // host:port of its HTTP listener
	MetricsURL string `json:"metricsUrl"`
	Running    bool   `json:"running"`
	Paused     bool   `json:"paused"`
}

// controlAPI is the launcher's fault-injection API (RAPPORT_CONTROL_ADDR),
// on loopback only:
//
//	GET  /readyz                              200 once the platform is up (the API starts then)
//	GET  /processes                           every process (ProcessInfo)
//	POST /processes/{name}/kill               SIGKILL now, answer at once
//	POST /processes/{name}/restart            kill if running, start again, answer when ready
//	POST /processes/{name}/pause              SIGSTOP, answer once the process is stopped
//	POST /processes/{name}/resume             SIGCONT, answer once it runs
//	POST /kafka/restart                       close the in-process Kafka, reopen it on its data and ports
//	POST /kafka/move-leader?topic=&partition= move a partition's leader to another broker
//	POST /postgres/restart                    immediate shutdown of the throwaway cluster, start again
//
// Answers are 204 with no body (GET /processes: 200 JSON); errors are
// problem+json. What the launcher did not start (KAFKA_BROKERS,
// DATABASE_URL) is 409.
func (l *launcher) controlAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("GET /processes", func(w http.ResponseWriter, r *http.Request) {
		kitx.EncodeJSON(r.Context(), w, l.processes())
	})
	mux.HandleFunc("POST /processes/{name}/{action}", l.controlProcess)
	mux.HandleFunc("POST /kafka/restart", func(w http.ResponseWriter, r *http.Request) {
		answer(w, r, l.restartKafka(r.Context()))
	})
	mux.HandleFunc("POST /kafka/move-leader", func(w http.ResponseWriter, r *http.Request) {
		topic := r.URL.Query().Get("topic")
		partition, err := strconv.ParseInt(r.URL.Query().Get("partition"), 10, 32)
		if topic == "" || err != nil || partition < 0 {
			answer(w, r, errs.Invalidf([]errs.FieldError{{Field: "topic", Reason: "required"}, {Field: "partition", Reason: "a partition number from 0"}},
				"name the partition: ?topic=…&partition=…"))
			return
		}
		answer(w, r, l.moveLeader(topic, int32(partition)))
	})
	mux.HandleFunc("POST /postgres/restart", func(w http.ResponseWriter, r *http.Request) {
		answer(w, r, l.restartPostgres(r.Context()))
	})
	return mux
}

// answer writes 204, or err as problem+json.
func answer(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		if _, ok := errs.As(err); !ok {
			err = errs.New(errs.Internal, "control-failed", err.Error())
		}
		kitx.WriteProblem(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// processes lists every process of the platform.
func (l *launcher) processes() []ProcessInfo {
	out := make([]ProcessInfo, 0, len(l.children))
	for _, c := range l.children {
		pid, running, paused := c.state()
		out = append(out, ProcessInfo{Name: c.svc.ProcName(), Service: c.svc.Name, Replica: max(c.svc.Replica, 1), PID: pid,
			Addr: c.svc.Addr(), MetricsURL: c.svc.MetricsURL(), Running: running, Paused: paused})
	}
	return out
}

func (l *launcher) controlProcess(w http.ResponseWriter, r *http.Request) {
	c, err := find(l.children, r.PathValue("name"))
	if err != nil {
		answer(w, r, err)
		return
	}
	switch action := r.PathValue("action"); action {
	case "kill":
		l.logf("control: killing %s (SIGKILL)", c.svc.Label())
		err = c.kill()
	case "restart":
		l.logf("control: restarting %s", c.svc.Label())
		err = c.restart(r.Context(), func(p *proc.Process) error { return waitReady(r.Context(), p, c.svc, l.cfg.ReadyTimeout) })
		if err == nil {
			l.logf("%s is ready", c.svc.Label())
		}
	case "pause":
		l.logf("control: pausing %s (SIGSTOP)", c.svc.Label())
		err = c.pause()
	case "resume":
		l.logf("control: resuming %s (SIGCONT)", c.svc.Label())
		err = c.resume()
	default:
		err = errUnknownAction.WithDetail("%q is not one of kill, restart, pause, resume", action)
	}
	answer(w, r, err)
}

// serveControl runs the control API on cfg.ControlAddr until ctx ends.
func (l *launcher) serveControl(ctx context.Context) (func(), error) {
	ln, err := net.Listen("tcp", l.cfg.ControlAddr)
	if err != nil {
		return nil, errors.Join(errors.New("control API (RAPPORT_CONTROL_ADDR)"), err)
	}
	srv := &http.Server{Handler: l.controlAPI(), ReadHeaderTimeout: 5 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	go srv.Serve(ln)
	l.logf("control API on http://%s (GET /processes)", ln.Addr())
	return func() { srv.Close() }, nil
}
