package bolt

import (
	"os"
	"time"

	bbolt "go.etcd.io/bbolt"
)

// Stats are figures about the store's file and bbolt's transactions, for
// monitoring (the server's /metrics). Counters only grow while the store is
// open.
type Stats struct {
	// FileBytes is the size of the file on disk; DataBytes the part of it
	// the newest transaction uses (the rest is room bbolt grew into).
	FileBytes int64
	DataBytes int64
	// FreePages and PendingPages are pages on the freelist: free to reuse,
	// or freed by a transaction that a still-open reader may need.
	// FreeBytes is the bytes in free pages.
	FreePages    int
	PendingPages int
	FreeBytes    int
	// ReadTxTotal counts read transactions started; OpenReadTx those open now
	// (a long-lived one, such as a backup, keeps pending pages from reuse).
	ReadTxTotal int
	OpenReadTx  int
	// PageWritesTotal counts pages written by commits, WriteTime their total
	// time; SpillTime and RebalanceTime are the tree work before a commit.
	PageWritesTotal int64
	WriteTime       time.Duration
	SpillTime       time.Duration
	RebalanceTime   time.Duration
	// NodeSplitsTotal and RebalancesTotal count B+tree node splits and merges.
	NodeSplitsTotal int64
	RebalancesTotal int64
}

// Stats reads the store's figures. It is cheap (a file stat and a short read
// transaction) and works on a closed store too, answering what it last knew
// with DataBytes 0.
func (db *DB) Stats() Stats {
	bs := db.bdb.Stats()
	s := Stats{
		FreePages:       bs.FreePageN,
		PendingPages:    bs.PendingPageN,
		FreeBytes:       bs.FreeAlloc,
		ReadTxTotal:     bs.TxN,
		OpenReadTx:      bs.OpenTxN,
		PageWritesTotal: bs.TxStats.GetWrite(),
		WriteTime:       bs.TxStats.GetWriteTime(),
		SpillTime:       bs.TxStats.GetSpillTime(),
		RebalanceTime:   bs.TxStats.GetRebalanceTime(),
		NodeSplitsTotal: bs.TxStats.GetSplit(),
		RebalancesTotal: bs.TxStats.GetRebalance(),
	}
	if fi, err := os.Stat(db.path); err == nil {
		s.FileBytes = fi.Size()
	}
	if db.Ready() == nil {
		_ = db.bdb.View(func(tx *bbolt.Tx) error {
			s.DataBytes = tx.Size()
			return nil
		})
	}
	return s
}
