package outbox

import "sync"

// localRelays are the relays running in this process. A writer whose
// transaction commits wakes them directly instead of through NOTIFY.
var localRelays = &wakers{chans: map[chan struct{}]struct{}{}}

// wakers is a set of wake-up channels, each buffered by one: a wake-up that
// finds one already pending is merged into it.
type wakers struct {
	mu    sync.RWMutex
	chans map[chan struct{}]struct{}
}

// add registers a new channel and returns it with its removal.
func (w *wakers) add() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	w.mu.Lock()
	w.chans[ch] = struct{}{}
	w.mu.Unlock()
	return ch, func() {
		w.mu.Lock()
		delete(w.chans, ch)
		w.mu.Unlock()
	}
}

// running reports whether any relay runs in this process.
func (w *wakers) running() bool {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return len(w.chans) > 0
}

// wake signals every relay without blocking.
func (w *wakers) wake() {
	w.mu.RLock()
	defer w.mu.RUnlock()
	for ch := range w.chans {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
