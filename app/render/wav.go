package render

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// wavFormat is what a WAV file's header says about its samples and where
// they are.
type wavFormat struct {
	Format        uint16 // 1 PCM, 3 float, 0xFFFE extensible
	Channels      int
	SampleRate    int
	BitsPerSample int
	BlockAlign    int
	DataOffset    int64
	DataBytes     int64 // whole frames only
}

// maxWAVHeader caps how far into a file the data chunk may start.
const maxWAVHeader = 1 << 20

var errBadWAV = errors.New("not a readable WAV file")

// readWAVHeader scans a RIFF/WAVE file's chunks up to "data". size is the
// file's length: streaming encoders leave the data size at 0 or
// 0xFFFFFFFF, and then the bytes really there count.
func readWAVHeader(r io.ReaderAt, size int64) (wavFormat, error) {
	var f wavFormat
	var hdr [12]byte
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return f, fmt.Errorf("%w: %v", errBadWAV, err)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return f, fmt.Errorf("%w: no RIFF/WAVE header", errBadWAV)
	}
	pos := int64(12)
	gotFmt := false
	for pos+8 <= size && pos < maxWAVHeader {
		var ch [8]byte
		if _, err := r.ReadAt(ch[:], pos); err != nil {
			return f, fmt.Errorf("%w: %v", errBadWAV, err)
		}
		id := string(ch[0:4])
		n := int64(binary.LittleEndian.Uint32(ch[4:8]))
		body := pos + 8
		switch id {
		case "fmt ":
			if n < 16 || body+16 > size {
				return f, fmt.Errorf("%w: short fmt chunk", errBadWAV)
			}
			var b [16]byte
			if _, err := r.ReadAt(b[:], body); err != nil {
				return f, fmt.Errorf("%w: %v", errBadWAV, err)
			}
			f.Format = binary.LittleEndian.Uint16(b[0:])
			f.Channels = int(binary.LittleEndian.Uint16(b[2:]))
			f.SampleRate = int(binary.LittleEndian.Uint32(b[4:]))
			f.BlockAlign = int(binary.LittleEndian.Uint16(b[12:]))
			f.BitsPerSample = int(binary.LittleEndian.Uint16(b[14:]))
			gotFmt = true
		case "data":
			if !gotFmt {
				return f, fmt.Errorf("%w: data before fmt", errBadWAV)
			}
			if f.SampleRate <= 0 || f.SampleRate > 768000 || f.Channels <= 0 || f.BlockAlign <= 0 {
				return f, fmt.Errorf("%w: impossible format", errBadWAV)
			}
			avail := size - body
			if n == 0 || n > avail {
				n = avail
			}
			f.DataOffset = body
			f.DataBytes = n - n%int64(f.BlockAlign)
			return f, nil
		}
		pos = body + n + n&1
	}
	return f, fmt.Errorf("%w: no data chunk", errBadWAV)
}

func openWAV(path string) (*os.File, wavFormat, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, wavFormat{}, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, wavFormat{}, err
	}
	f, err := readWAVHeader(fh, st.Size())
	if err != nil {
		fh.Close()
		return nil, f, fmt.Errorf("%s: %w", path, err)
	}
	return fh, f, nil
}

// isMono16 reports 16-bit mono PCM, the one format voice tracks are joined in.
func (f wavFormat) isMono16() bool {
	return (f.Format == 1 || f.Format == 0xFFFE) && f.Channels == 1 && f.BitsPerSample == 16 && f.BlockAlign == 2
}

func (f wavFormat) frames() int64 { return f.DataBytes / int64(f.BlockAlign) }

// wavHeader is a 44-byte header for 16-bit mono PCM of n bytes.
func wavHeader(rate int, dataBytes int64) []byte {
	const channels, bits = 1, 16
	h := make([]byte, 44)
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(min(36+dataBytes, 0xFFFFFFFF)))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1)
	binary.LittleEndian.PutUint16(h[22:], channels)
	binary.LittleEndian.PutUint32(h[24:], uint32(rate))
	binary.LittleEndian.PutUint32(h[28:], uint32(rate*channels*bits/8))
	binary.LittleEndian.PutUint16(h[32:], channels*bits/8)
	binary.LittleEndian.PutUint16(h[34:], bits)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(min(dataBytes, 0xFFFFFFFF)))
	return h
}
