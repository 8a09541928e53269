// The Studio page's state: the channel and its packages, the package open
// with its live progress, and the edits to its text. One instance per page,
// handed to its sections; it follows "job" and "packages" events while the
// page is open.
import { untrack } from 'svelte';
import { onEvent, type Events, type Package, type StudioInfo } from '../lib/api';
import { errorText, plain, showError } from '../lib/errors';
import { go, mayLeave, replace } from '../lib/router.svelte';
import { pickChannel, recall, remember, rememberChannel } from '../lib/remember';
import { channels } from '../stores/channels.svelte';
import { EarlyEvents, STEPS, draftOf, inputOf, studioApi, words, type Draft, type Step } from './studio';

const finishedStep = (status: string) => status === 'done' || status === 'skipped';

export class StudioPage {
  channelID = $state('');
  topic = $state('');
  withVoice = $state(true);
  info = $state<StudioInfo | null>(null);
  packages = $state<Package[]>([]);
  selectedID = $state('');
  pkg = $state<Package | null>(null);
  /** The ids of the packages being generated. */
  running = $state<string[]>([]);
  /** Live progress of the open package's steps, from job events. */
  live = $state<Record<string, { status: string; chars: number; tail?: string; note?: string }>>({});
  /** Sentences by input (channel_id, topic, title, content.…). */
  errors = $state<Record<string, string>>({});
  formError = $state('');
  stepError = $state('');
  saveNote = $state('');
  draft = $state<Draft>(draftOf(null));
  dirty = $state(false);

  channel = $derived(channels.byId(this.channelID) ?? null);
  isRunning = $derived(!!this.pkg && this.running.includes(this.pkg.id));
  target = $derived(this.info?.targets[this.channel?.format ?? 'long-form']);
  wpm = $derived(this.pkg?.content.words_per_minute || this.target?.words_per_minute || 150);
  /** How long the drafted hook and script take to say, in seconds. */
  spoken = $derived(((words(this.draft.hook) + this.draft.script.reduce((n, s) => n + words(s.text), 0)) * 60) / this.wpm);
  doneCount = $derived(this.pkg ? STEPS.filter((s) => finishedStep(this.stepStatus(s))).length : 0);
  complete = $derived(!!this.pkg && STEPS.every((s) => finishedStep(this.pkg!.content.steps?.[s]?.status ?? '')));

  #settleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Events of a package being created, until it opens. */
  #early = new EarlyEvents<Events['job']>();

  constructor(channelID: string, packageID: string) {
    this.channelID = channelID;
    this.selectedID = packageID;
  }

  stepStatus(s: Step): string {
    return this.live[s]?.status ?? this.pkg?.content.steps?.[s]?.status ?? 'pending';
  }

  /** Loads what the page shows and follows events; returns the stop function. */
  start(): () => void {
    (async () => {
      try {
        this.info = await studioApi.info();
        this.withVoice = (this.info?.voices.length ?? 0) > 0;
        await this.loadPackages();
        if (this.selectedID) await this.loadPackage(this.selectedID);
        this.running = await studioApi.running();
      } catch (e) {
        this.formError = errorText(e);
      }
    })();
    const offJob = onEvent('job', (d) => this.#onJob(d));
    const offPkg = onEvent('packages', () => this.loadPackages());
    return () => {
      clearTimeout(this.#settleTimer);
      offJob();
      offPkg();
    };
  }

  #onJob(d: Events['job']) {
    if (!d) return;
    if (d.package_id !== this.selectedID) {
      this.#early.hold(d);
      return;
    }
    if ('step' in d && d.step) {
      // A restart voids the text streamed so far (an attempt failed partway
      // and another provider starts over): clear it and say who took over.
      const prev = d.restart ? undefined : this.live[d.step];
      // Keep the end of the streamed text so the user sees it being written.
      const tail = d.delta ? ((prev?.tail ?? '') + d.delta).slice(-120) : prev?.tail;
      const note = d.note || this.live[d.step]?.note;
      this.live[d.step] = { status: d.status, chars: d.chars ?? prev?.chars ?? 0, tail, note };
    }
    if (d.status === 'running' && !this.running.includes(d.package_id)) this.running = [...this.running, d.package_id];
    if (d.error && d.status !== 'running') this.stepError = plain(d.error, 'Studio run');
    if (d.status !== 'running') {
      if (d.status === 'finished' || d.status === 'failed' || d.status === 'cancelled') {
        this.running = this.running.filter((r) => r !== d.package_id);
        this.settle();
      }
      this.loadPackage(this.selectedID, true);
      this.loadPackages();
    }
  }

  /** Once the list is there (and again whenever it changes): the channel
   *  the link names, else the one last picked in Studio, else the first. A
   *  channel shown stays shown while it exists. */
  pickChannel() {
    const ids = channels.list.map((c) => c.id);
    if (ids.length === 0) return;
    if (ids.includes(this.channelID)) {
      rememberChannel('studio', this.channelID);
      return;
    }
    const id = pickChannel(ids, this.channelID, 'studio');
    untrack(() => {
      this.channelID = id;
      rememberChannel('studio', id);
      this.loadPackages();
    });
  }

  resetDraft(p: Package | null) {
    this.draft = draftOf(p);
    this.dirty = false;
  }

  /** Marks the draft edited. */
  edit = () => {
    this.dirty = true;
    this.saveNote = '';
  };

  /** Loads the channel's packages; with none open, opens the one last
   *  open for this channel on this device, if it is still there. */
  async loadPackages() {
    const channel = this.channelID;
    if (!channel) {
      this.packages = [];
      return;
    }
    try {
      const list = await studioApi.listPackages(channel);
      if (channel !== this.channelID) return;
      this.packages = list;
      const last = recall(`studio.package.${channel}`);
      if (!this.selectedID && last && list.some((p) => p.id === last)) {
        this.selectedID = last;
        replace('studio', { channel, package: last });
        this.loadPackage(last);
      }
    } catch (e) {
      this.formError = errorText(e);
    }
  }

  async loadPackage(id: string, keepDraft = false) {
    if (!id) {
      this.pkg = null;
      this.resetDraft(null);
      return;
    }
    try {
      const p = await studioApi.getPackage(id);
      if (id !== this.selectedID) return;
      this.pkg = p;
      remember(`studio.package.${p.channel_id}`, p.id);
      // Saved state is newer than any finished live event; keep only live runs.
      for (const k of Object.keys(this.live)) if (this.live[k].status !== 'running') delete this.live[k];
      if (!keepDraft || !this.dirty) this.resetDraft(p);
    } catch (e) {
      this.stepError = errorText(e);
    }
  }

  /** Opens package id; unsaved edits of the open one are saved or
   *  discarded first, or the user stays. */
  async select(id: string) {
    if (id !== this.selectedID && !(await mayLeave())) return;
    this.selectedID = id;
    remember(`studio.package.${this.channelID}`, id);
    this.live = {};
    // A package just created may have run steps before it opened.
    for (const d of this.#early.take(id)) this.#onJob(d);
    this.stepError = '';
    this.saveNote = '';
    go('studio', { channel: this.channelID, package: id });
    this.loadPackage(id);
  }

  /** Shows channel id's packages; unsaved edits are saved or discarded
   *  first, or the channel stays. Resolves whether it changed. */
  async changeChannel(id: string): Promise<boolean> {
    if (id === this.channelID) return true;
    if (!(await mayLeave())) return false;
    this.channelID = id;
    rememberChannel('studio', id);
    this.selectedID = '';
    this.pkg = null;
    this.resetDraft(null);
    go('studio', { channel: this.channelID });
    this.loadPackages();
    return true;
  }

  async generate() {
    this.errors = {};
    this.formError = '';
    if (!this.channelID) {
      this.errors = { channel_id: 'Pick a channel first.' };
      return;
    }
    // The new package opens when it starts: the open one's edits first.
    if (!(await mayLeave())) return;
    this.#early.begin();
    try {
      const p = await studioApi.create(this.channelID, this.topic, this.withVoice);
      this.topic = '';
      this.packages = [p, ...this.packages];
      await this.select(p.id);
      this.settle();
    } catch (e) {
      ({ fields: this.errors, form: this.formError } = showError(e, { channel_id: 'The channel', topic: 'The topic' }));
    } finally {
      this.#early.end();
    }
  }

  // Job events move the running state as they arrive; a short while after
  // an action or a run's end the server's own list settles any race
  // between the call's answer and the events.
  settle() {
    clearTimeout(this.#settleTimer);
    this.#settleTimer = setTimeout(async () => {
      try {
        this.running = await studioApi.running();
      } catch {
        // the next event or action settles it
      }
    }, 400);
  }

  async #act(fn: () => Promise<unknown>) {
    this.stepError = '';
    try {
      await fn();
    } catch (e) {
      this.stepError = errorText(e);
    }
    this.settle();
  }

  resume = () => this.#act(() => studioApi.run(this.pkg!.id, this.withVoice));
  regenerate = (s: Step) => {
    this.live[s] = { status: 'running', chars: 0 };
    return this.#act(() => studioApi.regenerate(this.pkg!.id, s));
  };
  cancel = () => this.#act(() => studioApi.cancel(this.pkg!.id));

  /** Saves the draft; resolves whether it was saved. The server keeps the
   *  step states: an edit to the spoken words sends the voice step back to
   *  pending there. */
  async save(): Promise<boolean> {
    const pkg = this.pkg;
    if (!pkg) return false;
    this.errors = {};
    try {
      const saved = await studioApi.savePackage(inputOf(pkg, this.draft, this.wpm));
      this.pkg = saved;
      this.resetDraft(saved);
      this.saveNote = 'Saved. The change will sync with your other devices.';
      return true;
    } catch (e) {
      const inputs = { title: 'The title', 'content.description': 'The description', 'content.tags': 'The tags' };
      ({ fields: this.errors, form: this.stepError } = showError(e, inputs));
      return false;
    }
  }

  async remove() {
    const pkg = this.pkg;
    if (!pkg) return;
    try {
      await studioApi.remove(pkg.id);
      this.packages = this.packages.filter((p) => p.id !== pkg.id);
      if (recall(`studio.package.${this.channelID}`) === pkg.id) remember(`studio.package.${this.channelID}`, '');
      this.selectedID = '';
      this.pkg = null;
      this.resetDraft(null);
      go('studio', { channel: this.channelID });
    } catch (e) {
      this.stepError = errorText(e);
    }
  }
}
