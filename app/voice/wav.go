package voice

import (
	"encoding/binary"
	"fmt"
	"os"
)

// WAVInfo is what a WAV header says, with the duration computed from the
// sample data actually present.
type WAVInfo struct {
	SampleRate    int
	Channels      int
	BitsPerSample int
	DataBytes     int64
	Seconds       float64
}

// ParseWAV reads a RIFF/WAVE file's fmt and data chunks. Streaming
// encoders (espeak-ng writing to a pipe, OpenAI's streamed WAV) leave the
// size fields at 0 or 0xFFFFFFFF; the data that is really there counts.
func ParseWAV(b []byte) (WAVInfo, error) {
	var info WAVInfo
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return info, fmt.Errorf("%w: no RIFF/WAVE header", ErrBadAudio)
	}
	pos := 12
	blockAlign := 0
	gotFmt := false
	for pos+8 <= len(b) {
		id := string(b[pos : pos+4])
		size := int64(binary.LittleEndian.Uint32(b[pos+4 : pos+8]))
		body := pos + 8
		switch id {
		case "fmt ":
			if body+16 > len(b) {
				return info, fmt.Errorf("%w: short fmt chunk", ErrBadAudio)
			}
			format := binary.LittleEndian.Uint16(b[body:])
			if format != 1 && format != 0xFFFE && format != 3 {
				return info, fmt.Errorf("%w: unsupported encoding %d", ErrBadAudio, format)
			}
			info.Channels = int(binary.LittleEndian.Uint16(b[body+2:]))
			info.SampleRate = int(binary.LittleEndian.Uint32(b[body+4:]))
			blockAlign = int(binary.LittleEndian.Uint16(b[body+12:]))
			info.BitsPerSample = int(binary.LittleEndian.Uint16(b[body+14:]))
			gotFmt = true
		case "data":
			if !gotFmt {
				return info, fmt.Errorf("%w: data before fmt", ErrBadAudio)
			}
			avail := int64(len(b) - body)
			if size == 0 || size > avail {
				size = avail
			}
			info.DataBytes = size
			if info.SampleRate <= 0 || blockAlign <= 0 {
				return info, fmt.Errorf("%w: sample rate or block size is zero", ErrBadAudio)
			}
			frames := size / int64(blockAlign)
			info.Seconds = float64(frames) / float64(info.SampleRate)
			return info, nil
		}
		if size > int64(len(b)) {
			break
		}
		pos = body + int(size) + int(size&1)
	}
	return info, fmt.Errorf("%w: no data chunk", ErrBadAudio)
}

// ReadWAVFile parses the WAV file at path.
func ReadWAVFile(path string) (WAVInfo, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return WAVInfo{}, fmt.Errorf("read voice-over: %w", err)
	}
	return ParseWAV(b)
}

// PCMToWAV wraps raw little-endian 16-bit PCM in a WAV header.
func PCMToWAV(pcm []byte, sampleRate, channels int) []byte {
	const bits = 16
	blockAlign := channels * bits / 8
	out := make([]byte, 44+len(pcm))
	copy(out[0:], "RIFF")
	binary.LittleEndian.PutUint32(out[4:], uint32(36+len(pcm)))
	copy(out[8:], "WAVE")
	copy(out[12:], "fmt ")
	binary.LittleEndian.PutUint32(out[16:], 16)
	binary.LittleEndian.PutUint16(out[20:], 1)
	binary.LittleEndian.PutUint16(out[22:], uint16(channels))
	binary.LittleEndian.PutUint32(out[24:], uint32(sampleRate))
	binary.LittleEndian.PutUint32(out[28:], uint32(sampleRate*blockAlign))
	binary.LittleEndian.PutUint16(out[32:], uint16(blockAlign))
	binary.LittleEndian.PutUint16(out[34:], bits)
	copy(out[36:], "data")
	binary.LittleEndian.PutUint32(out[40:], uint32(len(pcm)))
	copy(out[44:], pcm)
	return out
}
