package store

// DBStats are the database engine's counters, for monitoring (see
// StatsReporter).
type DBStats struct {
	ReadTx       int     // read transactions started
	OpenReadTx   int     // read transactions open now
	WriteTx      int     // write transactions committed
	PagesWritten int     // pages written by committed write transactions
	WriteSeconds float64 // time spent writing pages
	FreePages    int     // free pages, reusable
	PendingPages int     // pages freed by writes still visible to readers
	PageSize     int
	FileSize     int64 // bytes
}

// FileStats describes a database kept in one file (see FileStore).
type FileStats struct {
	Path      string `json:"path"`
	Size      int64  `json:"size"`       // bytes
	FreePages int    `json:"free_pages"` // pages the engine can reuse
	PageSize  int    `json:"page_size"`
}
