package render

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"tubeagency/app/voice"
)

// Work files of the voice stage.
const (
	voiceWAV  = "voice.wav" // sentences joined with pauses, before loudness
	audioFile = "audio.m4a" // the finished track: normalised, music mixed in
)

// Silences of the voice track, in seconds: before the first sentence,
// between sentences of a section, between sections, after the last.
const (
	LeadIn        = 0.25
	SentencePause = 0.35
	SectionPause  = 0.7
	TailOut       = 0.6
)

// TargetLUFS is the loudness the audio track is normalised to (YouTube's).
const TargetLUFS = -14.0

const (
	targetLUFS     = TargetLUFS
	targetTP       = -1.5
	audioRate      = 48000
	audioBitrate   = "160k"
	voiceAlgorithm = 1 // bump when the joining or mixing changes
)

type voiceInputs struct {
	Algorithm int
	Language  string
	WPM       int
	Engines   []string
	Sections  [][]string
	Music     string
	Pauses    [4]float64
	Loudness  [2]float64
}

// sentenceKey names a sentence's cached audio: the same words in the same
// voice are never synthesised twice.
func sentenceKey(lang string, wpm int, engines []string, text string) string {
	return hashOf([]any{"sentence", voiceAlgorithm, lang, wpm, engines, text})[:24]
}

type sentence struct {
	section int
	text    string
	key     string
	path    string // the cached WAV
	engine  string
}

func (rn *run) voiceStage(ctx context.Context) error {
	engines := rn.r.opts.Voice.Available(ctx)
	if len(engines) == 0 {
		return voice.ErrNoEngine
	}
	music, err := rn.pickMusic(ctx)
	if err != nil {
		return err
	}
	in := voiceInputs{Algorithm: voiceAlgorithm, Language: rn.job.Language, WPM: rn.job.WordsPerMinute, Engines: engines,
		Pauses: [4]float64{LeadIn, SentencePause, SectionPause, TailOut}, Loudness: [2]float64{targetLUFS, targetTP}}
	var sentences []sentence
	for i, s := range rn.job.Sections {
		in.Sections = append(in.Sections, s.Spoken)
		for _, text := range s.Spoken {
			key := sentenceKey(rn.job.Language, rn.job.WordsPerMinute, engines, text)
			sentences = append(sentences, sentence{section: i, text: text, key: key,
				path: filepath.Join(rn.work, "voice", key+".wav")})
		}
	}
	if music != nil {
		in.Music = music.ID
	}
	return rn.stage(ctx, StageVoice, hashOf(in), []string{audioFile}, func(ctx context.Context) error {
		if err := rn.synthesize(ctx, sentences); err != nil {
			return err
		}
		seconds, err := rn.joinVoice(ctx, sentences)
		if err != nil {
			return err
		}
		rn.m.Seconds = seconds
		rn.m.Music = ""
		if music != nil {
			rn.m.Music = music.Name
		}
		rn.music = music
		rn.voiceJoined = true
		return nil
	})
}

// loudnessStage starts the loudness passes (normalise) beside the rest of
// the render: they need only the joined voice, and the encode needs their
// track only to join it to the video. It returns a wait function, safe to
// call more than once, that returns the passes' error and records their
// results in the working manifest. It must be called from the render's
// goroutine, the only one that touches rn.m.
//
// The voice stage's output is the finished track, so the voice stage is
// skipped exactly when this one is: both are keyed by the voice inputs.
func (rn *run) loudnessStage(ctx context.Context) func() error {
	hash := hashOf([]any{StageLoudness, rn.m.Stages[StageVoice].Hash})
	if !rn.voiceJoined {
		// The voice stage was skipped: its output, the finished track, is
		// there and was made from the same inputs.
		if !exists(filepath.Join(rn.work, audioFile)) {
			return func() error { return errors.New("normalise loudness: the voice track is missing; render again") }
		}
		return func() error { return nil }
	}
	start := rn.r.opts.Now()
	done := make(chan struct{})
	var res loudnessResult
	var err error
	go func() {
		defer close(done)
		res, err = rn.normalise(ctx, rn.music)
	}()
	return sync.OnceValue(func() error {
		<-done
		rn.m.PeakRSSKB = max(rn.m.PeakRSSKB, res.peakRSSKB)
		if err != nil {
			return err
		}
		rn.m.Loudness = res.loudness
		if !res.music {
			rn.m.Music = ""
		}
		rn.m.Stages[StageLoudness] = Stage{Hash: hash, At: rn.r.opts.Now().UTC(), Seconds: rn.r.opts.Now().Sub(start).Seconds()}
		rn.changed = true
		return rn.saveWork()
	})
}

// loudnessResult is what the loudness passes found, kept out of the
// manifest until the render's goroutine records it.
type loudnessResult struct {
	loudness  *Loudness
	music     bool  // the music was mixed in (silent music is left out)
	peakRSSKB int64 // the passes' largest ffmpeg
}

// synthesize speaks every sentence whose audio is not cached yet, a few
// at a time. Only the sentence text goes to the engine.
func (rn *run) synthesize(ctx context.Context, sentences []sentence) error {
	engines := map[string]string{}
	for _, s := range rn.m.Sentences {
		engines[s.Key] = s.Engine
	}
	var todo []int
	for i := range sentences {
		if f, format, err := openWAV(sentences[i].path); err == nil && format.DataBytes > 0 {
			f.Close()
			sentences[i].engine = engines[sentences[i].key]
			continue
		}
		todo = append(todo, i)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		done  = len(sentences) - len(todo)
		first error
		wg    sync.WaitGroup
		next  = make(chan int)
	)
	total := len(sentences)
	report := func() {
		rn.tr.report(StageVoice, 0.9*float64(done)/float64(total), fmt.Sprintf("sentence %d of %d", done, total))
	}
	report()
	for w := 0; w < min(rn.r.opts.VoiceWorkers, len(todo)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				s := &sentences[i]
				res, err := rn.r.opts.Voice.Synthesize(ctx, voice.Request{Text: s.text, Language: rn.job.Language,
					WordsPerMinute: rn.job.WordsPerMinute}, s.path)
				mu.Lock()
				if err != nil {
					if first == nil {
						first = fmt.Errorf("voice sentence %d (%q): %w", i+1, clip(s.text, 60), diskErr(err))
						cancel()
					}
				} else {
					s.engine = res.Engine
					done++
					report()
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, i := range todo {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first != nil {
		return errorsJoinCtx(ctx, first)
	}
	return ctx.Err()
}

// joinVoice writes voice.wav: the sentences in order with pauses between,
// as 16-bit mono PCM at the first sentence's rate, and records each
// sentence's place in it. It returns the track's length in seconds.
func (rn *run) joinVoice(ctx context.Context, sentences []sentence) (float64, error) {
	type part struct {
		path   string
		format wavFormat
	}
	parts := make([]part, len(sentences))
	rate := 0
	for i, s := range sentences {
		f, format, err := openWAV(s.path)
		if err != nil {
			os.Remove(s.path) // re-synthesised next time
			return 0, fmt.Errorf("voice sentence %d: %w", i+1, err)
		}
		f.Close()
		if rate == 0 {
			rate = format.SampleRate
		}
		parts[i] = part{s.path, format}
		if !format.isMono16() || format.SampleRate != rate {
			conv := filepath.Join(rn.work, "voice", s.key+"-"+strconv.Itoa(rate)+".wav")
			if !exists(conv) {
				tmp := tempPath(conv)
				_, err := rn.ff(ctx, ffCall{op: "convert sentence audio", dir: rn.work,
					args: []string{"-i", s.path, "-ac", "1", "-ar", strconv.Itoa(rate), "-c:a", "pcm_s16le", "-f", "wav", tmp}})
				if err := commitTemp(tmp, conv, err); err != nil {
					return 0, err
				}
			}
			f, format, err := openWAV(conv)
			if err != nil {
				return 0, fmt.Errorf("voice sentence %d: %w", i+1, err)
			}
			f.Close()
			parts[i] = part{conv, format}
		}
	}
	silence := func(sec float64) int64 { return int64(math.Round(sec*float64(rate))) * 2 }
	// Lay the track out first: the header needs its length.
	var timings []SentenceTiming
	offset := silence(LeadIn)
	for i, p := range parts {
		if i > 0 {
			if sentences[i].section != sentences[i-1].section {
				offset += silence(SectionPause)
			} else {
				offset += silence(SentencePause)
			}
		}
		start := float64(offset/2) / float64(rate)
		offset += p.format.DataBytes
		timings = append(timings, SentenceTiming{Section: sentences[i].section, Text: sentences[i].text,
			Start: start, End: float64(offset/2) / float64(rate), Engine: sentences[i].engine, Key: sentences[i].key})
	}
	total := offset + silence(TailOut)

	final := filepath.Join(rn.work, voiceWAV)
	tmp := tempPath(final)
	loud := newMeter(rate)
	err := func() error {
		out, err := os.Create(tmp)
		if err != nil {
			return err
		}
		defer out.Close()
		bw := bufio.NewWriterSize(out, 256<<10)
		if _, err := bw.Write(wavHeader(rate, total)); err != nil {
			return err
		}
		w := io.MultiWriter(bw, loud)
		zero := make([]byte, 32<<10)
		writeZeros := func(n int64) error {
			for n > 0 {
				k := min(n, int64(len(zero)))
				if _, err := w.Write(zero[:k]); err != nil {
					return err
				}
				n -= k
			}
			return nil
		}
		written := int64(0)
		for i, p := range parts {
			if err := ctx.Err(); err != nil {
				return err
			}
			gap := int64(math.Round(timings[i].Start*float64(rate)))*2 - written
			if err := writeZeros(gap); err != nil {
				return err
			}
			in, err := os.Open(p.path)
			if err != nil {
				return err
			}
			n, err := io.Copy(w, io.NewSectionReader(in, p.format.DataOffset, p.format.DataBytes))
			in.Close()
			if err != nil {
				return err
			}
			written += gap + n
		}
		if err := writeZeros(total - written); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		return out.Sync()
	}()
	if err != nil {
		err = diskErr(fmt.Errorf("join voice-over: %w", err))
	}
	if err := commitTemp(tmp, final, err); err != nil {
		return 0, err
	}
	rn.voiceLUFS = loud.integrated()
	rn.m.Sentences = timings
	rn.m.Voices = nil
	seen := map[string]bool{}
	for _, t := range timings {
		if t.Engine != "" && !seen[t.Engine] {
			seen[t.Engine] = true
			rn.m.Voices = append(rn.m.Voices, t.Engine)
		}
	}
	rn.tr.report(StageVoice, 1, "joined")
	return float64(total/2) / float64(rate), nil
}

// measure is ebur128, its per-frame log kept quiet; measurePeak adds the
// true peak (4× oversampled: the costly part), for the pass that encodes.
const (
	measure     = "ebur128=framelog=verbose"
	measurePeak = "ebur128=peak=true:framelog=verbose"
)

// The limiters' ceilings: the voice is held at −2 dBFS so the last gain
// correction has room; the track ends under −1.5 dBFS.
const (
	voiceCeiling = 0.79
	trackCeiling = 0.84
)

// normalise mixes in the music (ducked under the voice by a sidechain
// compressor) and brings the track to −14 LUFS under a −1.5 dB ceiling,
// in two ffmpeg passes: one that measures, one that applies and encodes.
//
// Synthetic speech has a high peak-to-loudness ratio: raised to −14 LUFS
// as it is, its peaks would clip, and loudnorm would fall back to its
// dynamic mode and miss by 1–2 LU on short tracks. So the voice is evened
// out first, by a compressor set from its own loudness (measured in Go as
// the track was joined) and a limiter. The limiter eats part of any raise
// (on espeak-ng speech, half or more), so the first pass measures the
// chain at two gains with ebur128, the EBU R128 meter loudnorm itself
// uses, and the gain is interpolated between them; the second pass runs
// the chain at that gain, encodes, and measures what it wrote.
func (rn *run) normalise(ctx context.Context, music *mediaFile) (res loudnessResult, err error) {
	d := rn.m.Seconds
	voiceI := rn.voiceLUFS
	if math.IsInf(voiceI, -1) || voiceI < -70 {
		return res, errors.New("measure loudness: the voice-over is silent")
	}
	inputs := []string{"-i", voiceWAV}
	rate := strconv.Itoa(audioRate)
	voiceIn := "[0:a]aresample=" + rate + ",aformat=sample_fmts=fltp:channel_layouts=mono"
	musicIn := ""
	musicGain := 0.0
	if music != nil {
		inputs = append(inputs, "-stream_loop", "-1", "-i", music.Path)
		musicIn = fmt.Sprintf("[1:a]aresample=%s,aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=0:%.3f", rate, d)
	}
	// Compress above 4 dB over the voice's loudness, then raise it towards
	// the target: compression costs about 4.5 dB, which the first gain
	// assumes; the limiter then takes an unknown share of any raise.
	threshold := math.Min(1, math.Pow(10, (voiceI+4)/20))
	level := func(gain float64) string {
		return fmt.Sprintf("acompressor=threshold=%.5f:ratio=3:attack=5:release=100:knee=3,volume=%.2fdB,"+
			"alimiter=limit=%g:attack=1:release=40:level=0", threshold, gain, voiceCeiling)
	}
	chain := func(gain float64) string {
		if music == nil {
			return voiceIn + "," + level(gain)
		}
		// Music sits 18 LU under the voice's target, and ducks further while it speaks.
		return fmt.Sprintf("%s,%s,asplit=2[v][sc];%s,volume=%.2fdB,afade=t=in:d=1,afade=t=out:st=%.3f:d=2[m];"+
			"[m][sc]sidechaincompress=threshold=0.02:ratio=10:attack=15:release=450[duck];"+
			"[v][duck]amix=inputs=2:duration=first:dropout_transition=0:normalize=0",
			voiceIn, level(gain), musicIn, musicGain, math.Max(0, d-2))
	}

	// Pass 1: the levelled voice at two gains 3 dB apart, and the music as
	// it is. Two points give the limiter's curve near the target, so the
	// gain that lands on it is found by interpolation, not guessed.
	const step = 3.0
	gain := targetLUFS - voiceI + 4.5
	graph := fmt.Sprintf("%s,asplit=2[va][vb];[va]%s,%s[m0];[vb]%s,%s[m1]", voiceIn, level(gain), measure, level(gain+step), measure)
	if music != nil {
		graph += ";" + musicIn + "," + measure + "[m2]"
	}
	sums, err := rn.measureLoudness(ctx, "measure loudness", inputs, graph, &res.peakRSSKB)
	if err != nil {
		return res, err
	}
	if len(sums) < 2 {
		return res, fmt.Errorf("measure loudness: %w", errNoSummary)
	}
	lo, hi := sums[0].IntegratedLUFS, sums[1].IntegratedLUFS
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo < -70 {
		return res, errors.New("measure loudness: the voice-over is silent after levelling")
	}
	slope := (hi - lo) / step // LU per dB of gain: 1 without limiting
	if slope < 0.1 || slope > 1.5 {
		slope = 1
	}
	gain = clampFinite(gain+(targetLUFS-lo)/slope, -40, 60)
	if music != nil {
		if len(sums) > 2 && !math.IsInf(sums[2].IntegratedLUFS, -1) && sums[2].IntegratedLUFS > -70 {
			musicGain = targetLUFS - 18 - sums[2].IntegratedLUFS
		} else {
			music = nil // silent music: nothing to mix
		}
	}

	// Pass 2: that gain, the last limiter, and the encoder; what is written
	// is measured on the way. Should it still miss by more than 0.5 LU, it
	// is encoded again, nudged.
	final := filepath.Join(rn.work, audioFile)
	channels, bitrate := "1", "96k" // speech alone is mono
	if music != nil {
		channels, bitrate = "2", audioBitrate
	}
	for attempt := 0; ; attempt++ {
		tmp := tempPath(final)
		args := append(append([]string{}, inputs...),
			"-filter_complex", fmt.Sprintf("%s,alimiter=limit=%g:attack=1:release=40:level=0,%s[out]", chain(gain), trackCeiling, measurePeak),
			// The fast coder takes 0.44 s of CPU where the default (twoloop)
			// takes 1.05 s for a minute of speech at 96 kb/s, with no audible
			// difference at these rates.
			"-map", "[out]", "-c:a", "aac", "-aac_coder", "fast", "-b:a", bitrate, "-ac", channels, "-ar", rate, "-f", "mp4", filepath.Base(tmp))
		var rss int64
		stderr, err := rn.ff(ctx, ffCall{op: "normalise loudness", dir: rn.work, args: args, verbose: true, rss: &rss})
		res.peakRSSKB = max(res.peakRSSKB, rss)
		if err == nil {
			if sums, err = parseEBUR128(stderr); err != nil {
				err = fmt.Errorf("normalise loudness: %w", err)
			}
		}
		if err != nil {
			os.Remove(tmp)
			return res, err
		}
		out := sums[len(sums)-1]
		if miss := targetLUFS - out.IntegratedLUFS; math.Abs(miss) > 0.5 && attempt < 2 && !math.IsInf(miss, 0) {
			os.Remove(tmp)
			gain = clampFinite(gain+miss, -40, 60)
			continue
		}
		res.loudness = &Loudness{IntegratedLUFS: out.IntegratedLUFS, TruePeakDBTP: clampFinite(out.TruePeakDBFS, -99, 99),
			RangeLU: out.RangeLU, GainDB: roundTo(gain, 2)}
		res.music = music != nil
		return res, commitTemp(tmp, final, nil)
	}
}

func (rn *run) measureLoudness(ctx context.Context, op string, inputs []string, graph string, peakRSSKB *int64) ([]ebuSummary, error) {
	args := append(append([]string{}, inputs...), "-filter_complex", graph)
	for _, label := range []string{"[m0]", "[m1]", "[m2]"} {
		if strings.Contains(graph, label) {
			args = append(args, "-map", label)
		}
	}
	args = append(args, "-f", "null", "-")
	var rss int64
	stderr, err := rn.ff(ctx, ffCall{op: op, dir: rn.work, args: args, verbose: true, rss: &rss})
	*peakRSSKB = max(*peakRSSKB, rss)
	if err != nil {
		return nil, err
	}
	sums, err := parseEBUR128(stderr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return sums, nil
}

func clampFinite(v, lo, hi float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return math.Max(lo, math.Min(hi, v))
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n])) + "…"
}
