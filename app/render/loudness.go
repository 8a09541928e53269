package render

import (
	"math"
)

// meter measures the integrated loudness (ITU-R BS.1770-4, EBU R128) of
// 16-bit mono PCM written to it: K-weighting, mean square over 400 ms
// blocks every 100 ms, an absolute gate at −70 LUFS and a relative gate
// 10 LU below the loudness of the blocks above it. The voice track is
// measured this way as it is joined, which saves ffmpeg a pass over it.
type meter struct {
	f1, f2 biquad
	step   int       // samples per 100 ms
	sub    []float64 // mean square of each 100 ms sub-block
	acc    float64
	n      int
	odd    []byte // a byte carried between writes
}

type biquad struct {
	b0, b1, b2, a1, a2 float64
	z1, z2             float64
}

func (q *biquad) process(x float64) float64 {
	y := q.b0*x + q.z1
	q.z1 = q.b1*x - q.a1*y + q.z2
	q.z2 = q.b2*x - q.a2*y
	return y
}

// newMeter builds the K-weighting filters for the sample rate, from the
// analogue prototypes (as libebur128 does), so any rate gives the
// standard's 48 kHz response.
func newMeter(rate int) *meter {
	fs := float64(rate)
	// Stage 1: the head's high-shelf.
	f0, gain, q := 1681.974450955533, 3.999843853973347, 0.7071752369554196
	k := math.Tan(math.Pi * f0 / fs)
	vh := math.Pow(10, gain/20)
	vb := math.Pow(vh, 0.4996667741545416)
	a0 := 1 + k/q + k*k
	shelf := biquad{b0: (vh + vb*k/q + k*k) / a0, b1: 2 * (k*k - vh) / a0, b2: (vh - vb*k/q + k*k) / a0,
		a1: 2 * (k*k - 1) / a0, a2: (1 - k/q + k*k) / a0}
	// Stage 2: the RLB high-pass.
	f0, q = 38.13547087602444, 0.5003270373238773
	k = math.Tan(math.Pi * f0 / fs)
	a0 = 1 + k/q + k*k
	hp := biquad{b0: 1, b1: -2, b2: 1, a1: 2 * (k*k - 1) / a0, a2: (1 - k/q + k*k) / a0}
	return &meter{f1: shelf, f2: hp, step: max(1, rate/10)}
}

// Write takes little-endian 16-bit samples.
func (m *meter) Write(p []byte) (int, error) {
	n := len(p)
	if len(m.odd) == 1 && len(p) > 0 {
		m.sample(int16(uint16(m.odd[0]) | uint16(p[0])<<8))
		m.odd, p = m.odd[:0], p[1:]
	}
	for len(p) >= 2 {
		m.sample(int16(uint16(p[0]) | uint16(p[1])<<8))
		p = p[2:]
	}
	if len(p) == 1 {
		m.odd = append(m.odd[:0], p[0])
	}
	return n, nil
}

func (m *meter) sample(s int16) {
	x := m.f2.process(m.f1.process(float64(s) / 32768))
	m.acc += x * x
	m.n++
	if m.n == m.step {
		m.sub = append(m.sub, m.acc/float64(m.step))
		m.acc, m.n = 0, 0
	}
}

// integrated returns the gated loudness in LUFS; -Inf when every block is
// below the absolute gate (silence).
func (m *meter) integrated() float64 {
	var blocks []float64
	for i := 0; i+4 <= len(m.sub); i++ {
		blocks = append(blocks, (m.sub[i]+m.sub[i+1]+m.sub[i+2]+m.sub[i+3])/4)
	}
	lufs := func(ms float64) float64 { return -0.691 + 10*math.Log10(ms) }
	gatedMean := func(threshold float64) (float64, int) {
		sum, n := 0.0, 0
		for _, b := range blocks {
			if b > 0 && lufs(b) > threshold {
				sum += b
				n++
			}
		}
		if n == 0 {
			return 0, 0
		}
		return sum / float64(n), n
	}
	mean, n := gatedMean(-70)
	if n == 0 {
		return math.Inf(-1)
	}
	mean, n = gatedMean(lufs(mean) - 10)
	if n == 0 {
		return math.Inf(-1)
	}
	return lufs(mean)
}
