package store_test

import (
	"testing"
	"time"

	"liaison/store"
)

func TestOptions_WithDefaults(t *testing.T) {
	o := store.Options{}.WithDefaults()
	if o.Now == nil || o.Logger == nil || o.StatusRetention != store.DefaultStatusRetention {
		t.Errorf("WithDefaults = %+v, want defaults set", o)
	}
	if store.DefaultStatusRetention < 24*time.Hour {
		t.Errorf("DefaultStatusRetention = %v, TAXII 2.1 §4.3 asks for at least 24h", store.DefaultStatusRetention)
	}
	kept := store.Options{StatusRetention: time.Minute}.WithDefaults()
	if kept.StatusRetention != time.Minute {
		t.Errorf("WithDefaults changed a set StatusRetention to %v", kept.StatusRetention)
	}
}
