package runtime

import (
	"context"
	"log/slog"
)

// DelivererConfig configures the Deliverer: its own pool, apart from the execution workers,
// so that a receiver that never answers holds only a delivery slot of its own application,
// for at most the delivery timeout, and never an execution worker.
type DelivererConfig struct {
	PoolConfig
}

// Deliverer attempts webhook deliveries on its own pool, fairly per application (the
// webhook's; platform-wide webhooks form one group of their own).
type Deliverer struct {
	Config      DelivererConfig
	TestSignals PoolTestSignals

	pool *pool
}

// NewDeliverer checks the config, fills in its defaults and returns the service, not started.
func NewDeliverer(cfg DelivererConfig, queue Queue, log *slog.Logger) (*Deliverer, error) {
	d := &Deliverer{}
	p, err := newPool("deliverer", cfg.PoolConfig, queue, log, &d.TestSignals)
	if err != nil {
		return nil, err
	}
	cfg.PoolConfig = p.cfg
	d.Config, d.pool = cfg, p
	return d, nil
}

// Start starts the delivery workers.
func (d *Deliverer) Start(context.Context) error {
	d.pool.start()
	return nil
}

// Stop stops claiming and waits for attempts in progress until ctx ends, then cancels them
// (an attempt cancelled so is retried later; the receiver deduplicates by webhook-id).
func (d *Deliverer) Stop(ctx context.Context) error { return d.pool.Stop(ctx) }

// Nudge wakes an idle delivery worker: a delivery was queued by this process.
func (d *Deliverer) Nudge() { d.pool.Nudge() }
