export namespace analysis {
	
	export interface Cell {
	    videos: number;
	    median_views_per_day: number;
	}
	export interface BestTime {
	    weekday: number;
	    hour: number;
	    hour_known: boolean;
	    weekdays: Cell[];
	    hours: Cell[];
	    heatmap: Cell[][];
	}
	
	export interface Coverage {
	    videos: number;
	    durations: number;
	    times: number;
	    ctr: number;
	    retention: number;
	    watch_time: number;
	    subscribers: number;
	    revenue: number;
	}
	export interface Format {
	    videos: number;
	    median_views: number;
	    median_views_per_day: number;
	    total_views: number;
	    view_share: number;
	    median_ctr: number;
	    median_retention: number;
	    rpm: number;
	}
	export interface Formats {
	    shorts: Format;
	    long: Format;
	}
	export interface Gap {
	    section: string;
	    message: string;
	}
	export interface Keyword {
	    word: string;
	    terms: string[];
	    videos: number;
	    median_views_per_day: number;
	    lift: number;
	    median_ctr: number;
	    median_retention: number;
	}
	export interface Outlier {
	    id: string;
	    title: string;
	    // Go type: time
	    published_at: any;
	    views: number;
	    factor: number;
	}
	export interface Pattern {
	    name: string;
	    with: number;
	    with_median_views_per_day: number;
	    without: number;
	    without_median_views_per_day: number;
	    lift: number;
	}
	export interface Point {
	    id: string;
	    title: string;
	    // Go type: time
	    published_at: any;
	    views: number;
	    views_per_day: number;
	    short: boolean;
	    outlier: boolean;
	}
	export interface Ranked {
	    id: string;
	    title: string;
	    // Go type: time
	    published_at: any;
	    short: boolean;
	    value: number;
	    median: number;
	    relative: number;
	    basis: number;
	}
	export interface Ranking {
	    metric: string;
	    videos: number;
	    median: number;
	    best: Ranked[];
	    worst: Ranked[];
	    findings: string[];
	}
	export interface Window {
	    days: number;
	    uploads: number;
	    per_week: number;
	    median_gap_days: number;
	    median_views: number;
	    median_views_per_day: number;
	    total_views: number;
	    outliers: number;
	    prev_median_views_per_day: number;
	    trend_pct?: number;
	    span: insights.Span;
	    watch_hours: number;
	    impressions: number;
	    ctr: number;
	    median_retention: number;
	    subscribers: number;
	    revenue: number;
	}
	export interface Report {
	    // Go type: time
	    now: any;
	    videos: number;
	    median_views: number;
	    median_views_per_day: number;
	    windows: Window[];
	    outliers: Outlier[];
	    best_time: BestTime;
	    keywords: Keyword[];
	    patterns: Pattern[];
	    formats: Formats;
	    series: Point[];
	    recommendations: string[];
	    ctr: Ranking;
	    retention: Ranking;
	    coverage: Coverage;
	    gaps: Gap[];
	}

}

export namespace app {
	
	export interface About {
	    version: string;
	    mode: string;
	    os: string;
	    arch: string;
	    log_file: string;
	    log_dir: string;
	    can_open_folder: boolean;
	    updates?: update.Status;
	}
	export interface Activity {
	    id: string;
	    hlc: string;
	    deleted: boolean;
	    // Go type: time
	    created_at: any;
	    // Go type: time
	    updated_at: any;
	    channel_id: string;
	    kind: string;
	    message: string;
	    data: unknown;
	}
	export interface ChannelActivity {
	    channel_id: string;
	    name: string;
	    generated: number;
	    queued: number;
	    deferred: number;
	    errors: number;
	}
	export interface ActivitySummary {
	    // Go type: time
	    since: any;
	    entries: number;
	    channels: ChannelActivity[];
	    providers: {[key: string]: number};
	    fallbacks: number;
	    cache_hits: number;
	    sync: {[key: string]: number};
	    kinds: {[key: string]: number};
	    errors: Activity[];
	}
	export interface AlertList {
	    active: monitor.Alert[];
	    resolved: monitor.Alert[];
	}
	export interface AlertRuleInput {
	    enabled: boolean;
	    threshold: number;
	}
	export interface AnalyticsClient {
	    configured: boolean;
	    client_id: string;
	    warning: string;
	}
	export interface AutopilotChannel {
	    id: string;
	    name: string;
	    format: string;
	    autopilot: boolean;
	    cadence: number;
	    upcoming: number;
	    ready: number;
	    rendered: number;
	    to_render: number;
	    queued: number;
	    running: number;
	    deferred: number;
	    failed: number;
	    // Go type: time
	    next_run: any;
	}
	export interface AutopilotHostChannel {
	    id: string;
	    name: string;
	    autopilot: boolean;
	    host: string;
	    host_name: string;
	}
	export interface Device {
	    id: string;
	    hlc: string;
	    deleted: boolean;
	    // Go type: time
	    created_at: any;
	    // Go type: time
	    updated_at: any;
	    name: string;
	    kind: string;
	    // Go type: time
	    last_seen: any;
	    version: string;
	    this: boolean;
	    quiet: boolean;
	}
	export interface AutopilotHostsView {
	    this_device: string;
	    devices: Device[];
	    channels: AutopilotHostChannel[];
	    takeover_hours: number;
	    shared: boolean;
	    note: string;
	}
	export interface AutopilotJob {
	    id: string;
	    channel_id: string;
	    package_id: string;
	    status: string;
	    attempts: number;
	    error: string;
	    // Go type: time
	    not_before: any;
	    // Go type: time
	    created_at: any;
	    // Go type: time
	    updated_at: any;
	    // Go type: time
	    finished_at: any;
	}
	export interface AutopilotOverview {
	    settings: autopilot.Settings;
	    pool: workers.Stats;
	    channels: AutopilotChannel[];
	    jobs: AutopilotJob[];
	}
	export interface Channel {
	    id: string;
	    hlc: string;
	    deleted: boolean;
	    // Go type: time
	    created_at: any;
	    // Go type: time
	    updated_at: any;
	    name: string;
	    niche: string;
	    language: string;
	    audience: string;
	    format: string;
	    cadence: number;
	    youtube_id: string;
	    autopilot: boolean;
	    autopilot_host: string;
	}
	
	export interface ChannelInput {
	    name: string;
	    niche: string;
	    language: string;
	    audience: string;
	    format: string;
	    cadence: number;
	    youtube_id: string;
	    autopilot: boolean;
	}
	export interface DeadLetter {
	    id: number;
	    entity: string;
	    row_id: string;
	    op: string;
	    payload: Record<string, unknown>;
	    hlc: string;
	    status: number;
	    code: string;
	    error: string;
	    // Go type: time
	    created_at: any;
	}
	
	export interface EarningInput {
	    month: string;
	    amount: number;
	    views: number;
	}
	export interface ExportFile {
	    name: string;
	    mime_type: string;
	    content: string;
	}
	export interface Language {
	    code: string;
	    name: string;
	    native: string;
	    templates: boolean;
	}
	export interface Override {
	    rule: string;
	    reason?: string;
	    // Go type: time
	    at: any;
	}
	export interface Publication {
	    video_id: string;
	    url: string;
	    // Go type: time
	    publish_at: any;
	    status: string;
	    by_hand?: boolean;
	    // Go type: time
	    at: any;
	}
	export interface StepState {
	    status: string;
	    provider?: string;
	    attempts?: number;
	    cached?: boolean;
	    error?: string;
	    // Go type: time
	    at: any;
	    note?: string;
	}
	export interface PackageContent {
	    ideas?: string[];
	    titles?: store.TitleOption[];
	    hook?: string;
	    script?: store.ScriptSection[];
	    words_per_minute?: number;
	    description?: string;
	    tags?: string[];
	    thumbnail?: string;
	    voice?: store.Voice;
	    steps?: {[key: string]: StepState};
	    checklist?: store.Checklist;
	    overrides?: Override[];
	    origin?: string;
	    published?: Publication;
	}
	export interface Package {
	    id: string;
	    hlc: string;
	    deleted: boolean;
	    // Go type: time
	    created_at: any;
	    // Go type: time
	    updated_at: any;
	    channel_id: string;
	    status: string;
	    topic: string;
	    title: string;
	    content: PackageContent;
	}
	
	export interface PackageInput {
	    id: string;
	    channel_id: string;
	    status: string;
	    topic: string;
	    title: string;
	    content: PackageContent;
	}
	export interface ProviderInput {
	    name: string;
	    enabled: boolean;
	    model: string;
	    base_url: string;
	    rpm: number;
	    daily_quota: number;
	}
	export interface ProviderTest {
	    ok: boolean;
	    message: string;
	    latency_ms: number;
	}
	export interface ProviderView {
	    name: string;
	    label: string;
	    kind: string;
	    enabled: boolean;
	    model: string;
	    base_url: string;
	    rpm: number;
	    daily_quota: number;
	    local: boolean;
	    manual?: boolean;
	    has_key: boolean;
	    key_hint: string;
	    needs_key: boolean;
	    snapshot: router.Snapshot;
	}
	export interface ProvidersView {
	    providers: ProviderView[];
	    key_backend: string;
	    key_warning: string;
	    key_error: string;
	    online: boolean;
	    settings_file: string;
	    settings_error: string;
	    templates_dir: string;
	    template_errors: templates.FileError[];
	    cache: cache.Stats;
	    router: settings.Router;
	    local_model: localmodel.Status;
	}
	
	export interface PublishCalendar {
	    channel_id: string;
	    link: publish.ChannelSettings;
	    time_zone: string;
	    entries: publish.Entry[];
	    hour: number;
	    minute: number;
	    hour_source: string;
	}
	export interface PublishInput {
	    title: string;
	    description: string;
	    tags: string[];
	    category_id: string;
	    language: string;
	    privacy: string;
	    publish_at: string;
	    made_for_kids: boolean;
	    synthetic_media: boolean;
	    upload_captions: boolean;
	}
	export interface PublishSettingsInput {
	    auto_publish: boolean;
	    time_zone: string;
	    hour: number;
	    minute: number;
	}
	export interface PublishView {
	    package_id: string;
	    channel_id: string;
	    defaults: PublishInput;
	    rendered: boolean;
	    render_message?: string;
	    has_captions: boolean;
	    has_thumbnail: boolean;
	    link: publish.ChannelSettings;
	    slots: string[];
	    jobs: publish.Job[];
	    published?: Publication;
	    quota: publish.QuotaUsage[];
	}
	export interface RenderChannel {
	    manual: boolean;
	    color: string;
	    font: string;
	}
	export interface RenderSettings {
	    keep_last: number;
	    channels: {[key: string]: RenderChannel};
	}
	export interface RenderStorage {
	    bytes: number;
	    packages: number;
	    settings: RenderSettings;
	    ffmpeg: string;
	    ffmpeg_error: string;
	    ffmpeg_path: string;
	    ffmpeg_configured: boolean;
	    can_pick_ffmpeg: boolean;
	}
	export interface RenderTask {
	    package_id: string;
	    channel_id: string;
	    state: string;
	    position: number;
	    queue: number;
	    source: string;
	    stage: string;
	    percent: number;
	    elapsed_seconds: number;
	    remaining_seconds: number;
	    detail: string;
	    seconds: number;
	    problem?: string;
	    error?: string;
	    help?: string;
	    // Go type: time
	    queued_at: any;
	    // Go type: time
	    started_at: any;
	    // Go type: time
	    finished_at: any;
	}
	export interface RenderedFile {
	    kind: string;
	    bytes: number;
	    mime_type: string;
	    url: string;
	    name: string;
	}
	export interface RenderedFiles {
	    package_id: string;
	    rendered: boolean;
	    format: string;
	    width: number;
	    height: number;
	    seconds: number;
	    // Go type: time
	    rendered_at: any;
	    video?: RenderedFile;
	    thumbnail?: RenderedFile;
	    captions?: RenderedFile;
	    loudness_lufs: number;
	    bytes: number;
	    notes: string[];
	    outdated: boolean;
	}
	export interface SavedFile {
	    name: string;
	    bytes: number;
	}
	export interface Status {
	    version: string;
	    mode: string;
	    data_dir: string;
	    database: string;
	    device_id: string;
	    channels: number;
	    packages: number;
	    outbox: number;
	    online: boolean;
	    sync_state: string;
	    sync_configured: boolean;
	    // Go type: time
	    last_sync: any;
	    dead_letters: number;
	    sync_error: string;
	    uptime_secs: number;
	    db_bytes: number;
	    wal_bytes: number;
	    template_errors: string[];
	    settings_error: string;
	}
	
	export interface Target {
	    words_per_minute: number;
	    min_seconds: number;
	    max_seconds: number;
	    words: number;
	}
	export interface StudioInfo {
	    steps: string[];
	    targets: {[key: string]: Target};
	    voices: string[];
	    voice_help?: string;
	}
	export interface SyncCredentials {
	    email: string;
	    password: string;
	}
	export interface SyncSettingsInput {
	    url: string;
	    anon_key: string;
	}
	
	export interface TitleOption {
	    title: string;
	    score: number;
	    features: string[];
	}
	export interface TitlesResult {
	    options: TitleOption[];
	    provider: string;
	    provider_label: string;
	    model: string;
	    attempts: number;
	    cached: boolean;
	    fallback: boolean;
	    templates: boolean;
	    notes: string[];
	    latency_ms: number;
	}
	export interface VideoInput {
	    id: string;
	    title: string;
	    published_at: string;
	    duration_sec: number;
	    views: number;
	    likes: number;
	    comments: number;
	}
	export interface VoiceEngine {
	    name: string;
	    label: string;
	    available: boolean;
	    message?: string;
	    needs_key: boolean;
	    has_key: boolean;
	    key_hint?: string;
	    key_from?: string;
	}
	export interface YouTubeAccount {
	    account: string;
	    scopes: string[];
	    channels: publish.Channel[];
	    // Go type: time
	    at: any;
	    sign_in_again: boolean;
	}
	export interface YouTubeEvent {
	    state: string;
	    account?: string;
	    message?: string;
	}
	export interface YouTubeSetup {
	    client_set: boolean;
	    client_id: string;
	    signing_in: boolean;
	    sign_in_url?: string;
	    accounts: YouTubeAccount[];
	    links: publish.ChannelSettings[];
	    quota: publish.QuotaUsage[];
	    scopes: string[];
	    opens_browser: boolean;
	}
	export interface YouTubeSignIn {
	    url: string;
	    opened: boolean;
	}
	export interface YouTubeUnlink {
	    link: publish.ChannelSettings;
	    waiting: number;
	}

}

export namespace autopilot {
	
	export interface Event {
	    source: string;
	    job_id?: string;
	    channel_id?: string;
	    package_id?: string;
	    status: string;
	    error?: string;
	    pool: workers.Stats;
	}
	export interface Settings {
	    ahead: number;
	    on_quota: string;
	    voice: boolean;
	    min_workers: number;
	    max_workers: number;
	    max_attempts: number;
	}

}

export namespace cache {
	
	export interface Stats {
	    l1_hits: number;
	    l2_hits: number;
	    misses: number;
	    evictions: number;
	    errors: number;
	    l1_bytes: number;
	    l2_bytes: number;
	    l2_entries: number;
	    max_bytes: number;
	}

}

export namespace insights {
	
	export interface ChannelStats {
	    channel_id: string;
	    // Go type: time
	    taken_at: any;
	    subscribers: number;
	    views: number;
	    videos: number;
	}
	export interface Competitor {
	    id: string;
	    channel_id: string;
	    youtube_id: string;
	    title: string;
	    // Go type: time
	    added_at: any;
	}
	export interface Earning {
	    channel_id: string;
	    month: string;
	    amount: number;
	    views: number;
	    // Go type: time
	    entered_at: any;
	}
	export interface Point {
	    // Go type: time
	    at: any;
	    value: number;
	}
	export interface Span {
	    // Go type: time
	    from: any;
	    // Go type: time
	    to: any;
	}
	export interface Video {
	    channel_id: string;
	    id: string;
	    kind: string;
	    title: string;
	    // Go type: time
	    published_at: any;
	    duration_sec: number;
	    views: number;
	    likes: number;
	    comments: number;
	    source: string;
	    // Go type: time
	    updated_at: any;
	    impressions: number;
	    ctr: number;
	    watch_hours: number;
	    avg_view_sec: number;
	    avg_view_pct: number;
	    subscribers: number;
	    has_subscribers: boolean;
	    revenue: number;
	    has_revenue: boolean;
	    revenue_views: number;
	}

}

export namespace localmodel {
	
	export interface Model {
	    name: string;
	    bytes: number;
	    parameters: string;
	    quantization: string;
	    embedding: boolean;
	    recommended: boolean;
	    fits_memory: boolean;
	    size_label: string;
	    params_number: number;
	}
	export interface Server {
	    kind: string;
	    url: string;
	    base_url: string;
	    models: Model[];
	}
	export interface Status {
	    found: boolean;
	    server?: Server;
	    model?: string;
	    ram_bytes: number;
	    help?: string;
	    // Go type: time
	    checked_at: any;
	}

}

export namespace monitor {
	
	export interface Alert {
	    key: string;
	    rule: string;
	    subject: string;
	    severity: string;
	    message: string;
	    value: number;
	    threshold: number;
	    // Go type: time
	    raised_at: any;
	    // Go type: time
	    resolved_at: any;
	    resolved_message: string;
	    active: boolean;
	}
	export interface AlertEvent {
	    type: string;
	    alert: Alert;
	}
	export interface Availability {
	    provider: string;
	    checks: number;
	    passed: number;
	    ratio: number;
	    daily: number[];
	}
	export interface CacheTier {
	    tier: string;
	    hits: number;
	    lookups: number;
	    hit_rate: number;
	    bytes: number;
	    max_bytes: number;
	}
	export interface CacheView {
	    available: boolean;
	    tiers: CacheTier[];
	    misses: number;
	    entries: number;
	    evictions: number;
	}
	export interface DiskView {
	    free_bytes: number;
	    total_bytes: number;
	}
	export interface LimiterStatus {
	    name: string;
	    tokens_left: number;
	    burst: number;
	    per_minute: number;
	}
	export interface PoolView {
	    available: boolean;
	    size: number;
	    busy: number;
	    waiting: number;
	    min: number;
	    max: number;
	    utilisation: number;
	    completed: number;
	    job_wait_p95_ms: number;
	    jobs_timed: number;
	}
	export interface ProcessView {
	    memory_bytes: number;
	    cpu_percent: number;
	    cpus: number;
	    goroutines: number;
	}
	export interface ProviderView {
	    name: string;
	    label: string;
	    state: string;
	    message?: string;
	    breaker: string;
	    latency_p50_ms: number;
	    latency_p95_ms: number;
	    success_rate: number;
	    requests: number;
	    failures: number;
	    quota_used: number;
	    quota_limit: number;
	    last_error?: string;
	    // Go type: time
	    last_check: any;
	    check_failed: boolean;
	    demoted: boolean;
	    // Go type: time
	    breaker_open_until: any;
	    // Go type: time
	    cooldown_until: any;
	    cooldown_reason?: string;
	    cooldown_status?: number;
	    first_byte_budgets_ms: {[key: string]: number};
	    hedges: number;
	    hedges_won: number;
	    error_rate_5m: number;
	    calls_5m: number;
	    failed_checks: number;
	    availability: number;
	    health: string;
	}
	export interface QuotaBucket {
	    bucket: string;
	    label: string;
	    used: number;
	    limit: number;
	    // Go type: time
	    reset: any;
	}
	export interface Rule {
	    id: string;
	    name: string;
	    description: string;
	    enabled: boolean;
	    threshold: number;
	    default: number;
	    unit: string;
	    min: number;
	    max: number;
	    severity: string;
	}
	export interface StoreView {
	    db_bytes: number;
	    wal_bytes: number;
	    outbox: number;
	}
	export interface YouTubeView {
	    available: boolean;
	    buckets: QuotaBucket[];
	    error?: string;
	}
	export interface SyncView {
	    available: boolean;
	    state: string;
	    // Go type: time
	    last_sync: any;
	    pending: number;
	    dead_letters: number;
	    lag_ms: number;
	    last_error: string;
	    clock_alert: string;
	    clock_ahead_ms: number;
	    pushed: number;
	    pulled: number;
	    failures: number;
	    failing_secs: number;
	}
	export interface Summary {
	    green: boolean;
	    level: string;
	    text: string;
	    problems: string[];
	}
	export interface Snapshot {
	    // Go type: time
	    at: any;
	    uptime_secs: number;
	    summary: Summary;
	    providers: ProviderView[];
	    cache: CacheView;
	    limiters: LimiterStatus[];
	    pool: PoolView;
	    sync: SyncView;
	    youtube: YouTubeView;
	    store: StoreView;
	    disk: DiskView;
	    process: ProcessView;
	    availability: Availability[];
	    alerts: Alert[];
	}
	
	
	

}

export namespace predictor {
	
	export interface Feature {
	    name: string;
	    label: string;
	    value: number;
	    effect: number;
	}
	export interface Outcome {
	    value: number;
	    accuracy: number;
	    accuracy_se: number;
	    metric: string;
	    videos: number;
	    features: Feature[];
	    note: string;
	}
	export interface Score {
	    value: number;
	    features: Feature[];
	    calibrated: boolean;
	    accuracy: number;
	    accuracy_se: number;
	    metric: string;
	    videos: number;
	    note: string;
	    ctr?: Outcome;
	}

}

export namespace publish {
	
	export interface Channel {
	    id: string;
	    title: string;
	    handle: string;
	    thumbnail: string;
	    subscribers: number;
	}
	export interface ChannelSettings {
	    channel_id: string;
	    youtube_channel_id: string;
	    youtube_title: string;
	    account: string;
	    auto_publish: boolean;
	    // Go type: time
	    confirmed_at: any;
	    time_zone: string;
	    hour: number;
	    minute: number;
	}
	export interface Metadata {
	    title: string;
	    description: string;
	    tags: string[];
	    category_id: string;
	    default_language: string;
	    privacy: string;
	    // Go type: time
	    publish_at: any;
	    made_for_kids: boolean;
	    synthetic_media: boolean;
	}
	export interface Job {
	    id: string;
	    package_id: string;
	    channel_id: string;
	    account: string;
	    youtube_channel_id: string;
	    state: string;
	    by_hand: boolean;
	    video_path: string;
	    video_type: string;
	    video_size: number;
	    meta: Metadata;
	    thumbnail_path: string;
	    captions_path: string;
	    upload_captions: boolean;
	    offset: number;
	    session_restarts: number;
	    video_id: string;
	    thumbnail_done: boolean;
	    caption_id: string;
	    // Go type: time
	    run_after: any;
	    attempts: number;
	    note: string;
	    // Go type: time
	    published_at: any;
	    // Go type: time
	    created_at: any;
	    // Go type: time
	    updated_at: any;
	}
	export interface Entry {
	    // Go type: time
	    at: any;
	    kind: string;
	    job_id?: string;
	    job?: Job;
	}
	
	
	export interface Progress {
	    job_id: string;
	    package_id: string;
	    channel_id: string;
	    state: string;
	    sent: number;
	    total: number;
	    bytes_per_sec: number;
	    note?: string;
	    video_id?: string;
	    url?: string;
	    // Go type: time
	    run_after: any;
	    // Go type: time
	    at: any;
	}
	export interface QuotaUsage {
	    bucket: string;
	    used: number;
	    limit: number;
	    // Go type: time
	    reset: any;
	}

}

export namespace revenue {
	
	export interface Calibration {
	    months: number;
	    rpm: number;
	    factor: number;
	    spread: number;
	}
	export interface FormatFit {
	    rpm: number;
	    low: number;
	    high: number;
	    spread: number;
	    views: number;
	    revenue: number;
	    units: number;
	}
	export interface Fit {
	    long?: FormatFit;
	    shorts?: FormatFit;
	    unit: string;
	}
	
	export interface Month {
	    month: string;
	    views: number;
	    expected: number;
	    low: number;
	    high: number;
	}
	export interface Projection {
	    category: string;
	    category_name: string;
	    category_source: string;
	    recent_uploads: number;
	    recent_days: number;
	    long_rpm: number;
	    shorts_rpm: number;
	    long_source: string;
	    shorts_source: string;
	    fit: Fit;
	    calibrated: boolean;
	    calibration?: Calibration;
	    monthly_long_views: number;
	    monthly_shorts_views: number;
	    views_source: string;
	    measured: boolean;
	    months: Month[];
	    per_second: number;
	    sources: string[];
	}

}

export namespace router {
	
	export interface Budget {
	    kind: string;
	    first_byte_p95_ms: number;
	    budget_ms: number;
	    samples: number;
	}
	export interface Cooldown {
	    provider: string;
	    // Go type: time
	    until: any;
	    status: number;
	    reason: string;
	}
	export interface Snapshot {
	    name: string;
	    label: string;
	    order: number;
	    state: string;
	    message?: string;
	    offline: boolean;
	    breaker: string;
	    latency_p50_ms: number;
	    latency_p95_ms: number;
	    success_rate: number;
	    requests: number;
	    failures: number;
	    rpm: number;
	    quota_used: number;
	    quota_limit: number;
	    quota_left: number;
	    last_error?: string;
	    // Go type: time
	    last_error_at: any;
	    // Go type: time
	    last_check: any;
	    check_failed: boolean;
	    demoted: boolean;
	    // Go type: time
	    breaker_open_until: any;
	    cooldown?: Cooldown;
	    budgets: Budget[];
	    hedges: number;
	    hedges_won: number;
	}

}

export namespace service {
	
	export interface AnalyticsStatus {
	    channel_id: string;
	    client_configured: boolean;
	    linked: boolean;
	    signing_in: boolean;
	    syncing: boolean;
	    youtube_id: string;
	    revenue: string;
	    // Go type: time
	    last_sync?: any;
	    last_error: string;
	    // Go type: time
	    retry_at?: any;
	    needs_sign_in: boolean;
	    last_day: string;
	    days: number;
	    // Go type: time
	    job_created_at?: any;
	    // Go type: time
	    reports_expected?: any;
	    reports: number;
	    reach_from: string;
	    reach_to: string;
	    quota_used: number;
	    quota_limit: number;
	    quota_day: string;
	}
	export interface AuditResult {
	    channel_id: string;
	    time_zone: string;
	    report: analysis.Report;
	    history: insights.Point[];
	    stats?: insights.ChannelStats;
	}
	export interface Category {
	    id: string;
	    names: {[key: string]: string};
	    long_rpm: number;
	    shorts_rpm: number;
	}
	export interface ChannelMoney {
	    channel_id: string;
	    name: string;
	    per_second: number;
	    month: revenue.Month;
	    months: revenue.Month[];
	    calibrated: boolean;
	    category: string;
	    source: string;
	    recent_uploads: number;
	    recent_days: number;
	}
	export interface FetchResult {
	    videos: number;
	    subscribers: number;
	    title: string;
	    quota_used: number;
	    quota_limit: number;
	}
	export interface ImportResult {
	    rows: number;
	    skipped: number;
	    columns: string[];
	    currency: string;
	}
	export interface LinkStart {
	    channel_id: string;
	    url: string;
	    redirect_url: string;
	}
	export interface MoneyCounter {
	    channels: ChannelMoney[];
	    per_second: number;
	    // Go type: time
	    month_start: any;
	    // Go type: time
	    as_of: any;
	    accrued_at_as_of: number;
	    months: revenue.Month[];
	    sources: string[];
	}
	export interface NicheSetting {
	    channel_id: string;
	    category: string;
	    chosen: boolean;
	    suggested: string;
	}
	export interface SyncResult {
	    mode: string;
	    videos: number;
	    fetched: number;
	    rows: number;
	    through: string;
	    reports: number;
	    requests: number;
	    reach_error: string;
	}
	export interface TrendsResult {
	    trends: trends.Trend[];
	    online: boolean;
	    message: string;
	    // Go type: time
	    chart_fetched_at?: any;
	    span: insights.Span;
	    corpus_videos: number;
	    own_videos: number;
	}
	export interface YouTubeStatus {
	    key_set: boolean;
	    quota_used: number;
	    quota_limit: number;
	    quota_day: string;
	    warning: string;
	}

}

export namespace session {
	
	export interface View {
	    state: string;
	    // Go type: time
	    last_sync: any;
	    pending: number;
	    dead_letters: number;
	    lag_ms: number;
	    last_error: string;
	    user: string;
	    email: string;
	    pull_mode: string;
	    pull_note: string;
	    pull_every_ms: number;
	    clock_alert?: sync.ClockAlert;
	    url: string;
	    anon_key_tail: string;
	    configured: boolean;
	}

}

export namespace settings {
	
	export interface Router {
	    deadline_seconds: number;
	    health_interval_seconds: number;
	    channel_rpm: number;
	    global_rpm: number;
	    cache_mb: number;
	}

}

export namespace store {
	
	export interface CheckItem {
	    rule: string;
	    label: string;
	    state: string;
	    message: string;
	}
	export interface Checklist {
	    version: number;
	    passed: boolean;
	    items: CheckItem[];
	}
	export interface ScriptSection {
	    heading: string;
	    text: string;
	    spoken?: string[];
	    notes?: string[];
	    start: number;
	    seconds: number;
	}
	export interface TitleOption {
	    text: string;
	    score: number;
	    features?: string[];
	    calibrated?: boolean;
	}
	export interface Voice {
	    file: string;
	    engine: string;
	    seconds: number;
	    bytes: number;
	    mime_type: string;
	}

}

export namespace studio {
	
	export interface Progress {
	    package_id: string;
	    channel_id: string;
	    step: string;
	    status: string;
	    chars?: number;
	    delta?: string;
	    restart?: boolean;
	    note?: string;
	    provider?: string;
	    error?: string;
	    done: number;
	    total: number;
	    source?: string;
	}

}

export namespace sync {
	
	export interface ClockAlert {
	    device: string;
	    table: string;
	    row_id: string;
	    hlc: string;
	    ahead_ms: number;
	    message: string;
	    // Go type: time
	    at: any;
	}
	export interface RepairReport {
	    pending: number;
	    dead_letters: number;
	    rows: number;
	    clock: string;
	}
	export interface Status {
	    state: string;
	    // Go type: time
	    last_sync: any;
	    pending: number;
	    dead_letters: number;
	    lag_ms: number;
	    last_error: string;
	    user: string;
	    email: string;
	    pull_mode: string;
	    pull_note: string;
	    pull_every_ms: number;
	    clock_alert?: ClockAlert;
	}

}

export namespace templates {
	
	export interface FileError {
	    file: string;
	    message: string;
	    // Go type: time
	    at: any;
	}

}

export namespace trends {
	
	export interface Trend {
	    term: string;
	    videos: number;
	    // Go type: time
	    first_seen: any;
	    age_days: number;
	    heat: number[];
	    velocity: number;
	    acceleration: number;
	    label: string;
	    relevance: {[key: string]: number};
	}

}

export namespace update {
	
	export interface Status {
	    enabled: boolean;
	    current: string;
	    latest: string;
	    available: boolean;
	    notes: string;
	    kind: string;
	    platform: string;
	    feed_url: string;
	    // Go type: time
	    last_check: any;
	    installing: boolean;
	    installed: boolean;
	    deb_path: string;
	    deb_command: string;
	    message: string;
	}

}

export namespace workers {
	
	export interface Stats {
	    size: number;
	    busy: number;
	    waiting: number;
	    utilisation: number;
	    peak: number;
	    completed: number;
	    panics: number;
	    min: number;
	    max: number;
	}

}

