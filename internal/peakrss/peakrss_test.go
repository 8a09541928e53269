//go:build linux

package peakrss_test

import (
	"testing"

	"tubeagency/internal/peakrss"
)

var sink []byte

func TestPeakSeesAnAllocationAndResetForgetsIt(t *testing.T) {
	base, err := peakrss.Reset()
	if err != nil {
		t.Fatal(err)
	}
	sink = make([]byte, 64<<20)
	for i := range sink {
		sink[i] = byte(i)
	}
	peak, err := peakrss.Peak()
	if err != nil {
		t.Fatal(err)
	}
	if grew := peak - base; grew < 60<<20 {
		t.Fatalf("peak grew by %d MB after touching 64 MB", grew>>20)
	}
	sink = nil
	base, _ = peakrss.Reset()
	peak, _ = peakrss.Peak()
	if peak-base > 16<<20 {
		t.Fatalf("after Reset the peak is still %d MB above the current RSS", (peak-base)>>20)
	}
}
