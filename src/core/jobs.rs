//! Grading jobs: grade all of an assignment's essays (or a list) in the
//! background, durably. A job's essays are listed when it is created; a
//! runner grades them in chunks on a pool sized to the cores, and records
//! each essay's grade, its result and the job's counts in one transaction, so
//! a job killed midway resumes where it stopped and every essay ends with
//! exactly one grade from it. Watchers are woken after each chunk. Three
//! stages overlap: the next chunk's essays and texts are read, the current
//! one is graded from memory, and the previous one is recorded and flushed.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use time::OffsetDateTime;
use tokio::sync::{mpsc, watch};

use super::{
    AssignmentId, CoreError, ErrorKind, Essay, EssayFilter, EssayId, EssayView, Essays, GradeId, GradeRecordView,
    Grading, JobId, TenantId,
    essays::Page,
    grading::{self, GradingContext},
    time_us,
};
use crate::{
    copies::PostingsSnapshot,
    core::Author,
    store::{JobGrade, JobItem, JobRecord, JobResultRecord, Store},
};

/// How long a job stopped by full or unavailable storage waits before it
/// tries again.
const TRANSIENT_RETRY: std::time::Duration = std::time::Duration::from_secs(5);

/// The most essays one job may grade.
pub const MAX_JOB_ESSAYS: usize = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Queued = 1,
    Running = 2,
    Succeeded = 3,
    Failed = 4,
    Cancelled = 5,
}

impl JobState {
    pub const ALL: [JobState; 5] = [
        JobState::Queued,
        JobState::Running,
        JobState::Succeeded,
        JobState::Failed,
        JobState::Cancelled,
    ];

    /// The state's name in metrics and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    fn from_i32(v: i32) -> Result<Self, CoreError> {
        Ok(match v {
            1 => Self::Queued,
            2 => Self::Running,
            3 => Self::Succeeded,
            4 => Self::Failed,
            5 => Self::Cancelled,
            other => return Err(CoreError::Internal(format!("stored job state {other}"))),
        })
    }

    pub fn is_final(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Cancelled)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: JobId,
    pub assignment_id: Option<AssignmentId>,
    pub rubric: String,
    pub state: JobState,
    pub total: u32,
    pub graded: u32,
    pub failed: u32,
    pub create_time: OffsetDateTime,
    pub start_time: Option<OffsetDateTime>,
    pub end_time: Option<OffsetDateTime>,
}

/// What a job grades.
#[derive(Debug, Clone)]
pub enum JobTarget {
    Assignment(AssignmentId),
    Essays(Vec<EssayId>),
}

/// Why one essay of a batch could not be graded: a core error's kind,
/// stable reason and message, kept so it can be shown later.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFailure {
    pub kind: ErrorKind,
    pub reason: String,
    pub message: String,
}

impl From<&CoreError> for ItemFailure {
    fn from(e: &CoreError) -> Self {
        ItemFailure {
            kind: e.kind(),
            reason: e.reason(),
            message: e.to_string(),
        }
    }
}

/// The outcome of one essay of a job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobResult {
    pub sequence: u32,
    pub essay_id: EssayId,
    pub outcome: Result<GradeRecordView, ItemFailure>,
    pub external_id: String,
    pub author: Author,
}

/// What a watcher of a job is sent.
#[derive(Debug, Clone, PartialEq)]
pub enum JobEvent {
    Progress(Job),
    Result(Box<JobResult>),
}

#[derive(Clone)]
pub struct GradingJobs {
    inner: Arc<Inner>,
    runner: Arc<std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

struct Inner {
    store: Arc<dyn Store>,
    essays: Essays,
    grading: Grading,
    queue: mpsc::UnboundedSender<(TenantId, JobId)>,
    /// Bumped whenever any job makes progress; watchers re-read on a change.
    changed: watch::Sender<u64>,
    /// Set at shutdown: the runner stops between chunks; the job stays
    /// running in the store and resumes at the next start.
    stopping: watch::Sender<bool>,
    worker_count: usize,
    chunk: usize,
}

impl GradingJobs {
    /// Starts the job runner with `workers` grading threads, and resumes the
    /// jobs a previous run left queued or running.
    pub fn start(store: Arc<dyn Store>, essays: Essays, grading: Grading, workers: usize) -> Result<Self, CoreError> {
        let workers = workers.max(1);
        let (queue, mut jobs) = mpsc::unbounded_channel();
        let inner = Arc::new(Inner {
            store,
            essays,
            grading,
            queue,
            changed: watch::Sender::new(0),
            stopping: watch::Sender::new(false),
            worker_count: workers,
            // Big enough that per-chunk costs (one transaction, one flush)
            // vanish beside grading; small enough to bound memory.
            chunk: 256,
        });
        let unfinished = inner
            .store
            .jobs_in_states(&[JobState::Queued as i32, JobState::Running as i32])?;
        let runner = inner.clone();
        let mut stopping = inner.stopping.subscribe();
        let handle = tokio::spawn(async move {
            loop {
                let next = tokio::select! {
                    next = jobs.recv() => next,
                    _ = stopping.wait_for(|stop| *stop) => None,
                };
                let Some((tenant, id)) = next else { return };
                if let Err(e) = runner.run(&tenant, id).await {
                    tracing::error!(tenant = tenant.as_str(), job_id = %id, error = %e, "grading job stopped");
                    if e.is_transient() {
                        // Storage was full or unavailable: try again later,
                        // from where the job stopped.
                        let queue = runner.queue.clone();
                        tokio::spawn(async move {
                            tokio::time::sleep(TRANSIENT_RETRY).await;
                            tracing::info!(tenant = tenant.as_str(), job_id = %id, "retrying grading job");
                            let _ = queue.send((tenant, id));
                        });
                    }
                }
            }
        });
        for (tenant, record) in unfinished {
            let tenant = TenantId::parse(&tenant)?;
            let id = JobId::try_from(record.id.as_slice())?;
            tracing::info!(tenant = tenant.as_str(), job_id = %id, "resuming grading job");
            let _ = inner.queue.send((tenant, id));
        }
        Ok(Self {
            inner,
            runner: Arc::new(std::sync::Mutex::new(Some(handle))),
        })
    }

    /// Stops the runner after the chunk in progress (at shutdown). Unfinished
    /// jobs resume when the server starts again.
    pub async fn stop(&self) {
        self.inner.stopping.send_replace(true);
        let handle = self.runner.lock().ok().and_then(|mut h| h.take());
        if let Some(handle) = handle {
            let _ = handle.await;
        }
    }

    pub async fn create(&self, tenant: &TenantId, target: JobTarget, rubric: String) -> Result<Job, CoreError> {
        let (assignment_id, essay_ids) = match target {
            JobTarget::Assignment(a) => {
                let ids = self.assignment_essays(tenant, &a)?;
                (a.as_str().to_owned(), ids)
            }
            JobTarget::Essays(ids) => {
                for (i, id) in ids.iter().enumerate() {
                    self.inner
                        .essays
                        .get(tenant, *id, EssayView::Basic)
                        .map_err(|e| e.within(&format!("job.essay_ids[{i}]")))?;
                }
                (String::new(), ids.iter().map(|i| i.to_bytes()).collect::<Vec<_>>())
            }
        };
        if essay_ids.is_empty() {
            return Err(CoreError::FailedPrecondition {
                field: "job".into(),
                description: "there are no essays to grade".into(),
                reason: "NO_ESSAYS",
            });
        }
        if essay_ids.len() > MAX_JOB_ESSAYS {
            return Err(CoreError::invalid(
                "job.essay_ids",
                "JOB_TOO_LARGE",
                format!("has {} essays; the limit is {MAX_JOB_ESSAYS}", essay_ids.len()),
            ));
        }
        if !rubric.is_empty() {
            self.inner.grading.rubric_exists(tenant, &rubric)?;
        }
        let id = JobId::generate();
        let record = JobRecord {
            id: id.to_bytes().to_vec(),
            assignment_id,
            rubric,
            state: JobState::Queued as i32,
            total: essay_ids.len() as u32,
            graded: 0,
            failed: 0,
            create_time_us: time_us::from_time(time_us::now()),
            start_time_us: None,
            end_time_us: None,
        };
        self.inner.store.insert_job(tenant.as_str(), &record, &essay_ids)?;
        self.inner.store.sync().await?;
        tracing::info!(tenant = tenant.as_str(), job_id = %id, essays = essay_ids.len(), "grading job created");
        let _ = self.inner.queue.send((tenant.clone(), id));
        from_record(&record)
    }

    /// The ids of an assignment's essays, read page by page.
    fn assignment_essays(&self, tenant: &TenantId, assignment: &AssignmentId) -> Result<Vec<[u8; 16]>, CoreError> {
        let filter = EssayFilter {
            assignment_id: assignment.as_str().to_owned(),
            ..Default::default()
        };
        let mut ids = Vec::new();
        let mut after = None;
        loop {
            let page = self.inner.essays.list(tenant, &filter, after, 1000, EssayView::Basic)?;
            ids.extend(page.items.iter().map(|e| e.id.to_bytes()));
            after = page.items.last().map(|e| e.id);
            if !page.more {
                return Ok(ids);
            }
        }
    }

    pub fn get(&self, tenant: &TenantId, id: JobId) -> Result<Job, CoreError> {
        let record = self
            .inner
            .store
            .job(tenant.as_str(), &id.to_bytes())?
            .ok_or_else(|| CoreError::NotFound {
                resource: "grading job",
                id: id.to_string(),
            })?;
        from_record(&record)
    }

    pub fn list(&self, tenant: &TenantId, before: Option<JobId>, limit: usize) -> Result<Page<Job>, CoreError> {
        let before = before.map(JobId::to_bytes);
        let mut records = self
            .inner
            .store
            .list_jobs(tenant.as_str(), before.as_ref(), limit + 1)?;
        let more = records.len() > limit;
        records.truncate(limit);
        Ok(Page {
            items: records.iter().map(from_record).collect::<Result<_, _>>()?,
            more,
        })
    }

    /// Cancels a queued or running job; a finished job is left as it is.
    pub async fn cancel(&self, tenant: &TenantId, id: JobId) -> Result<Job, CoreError> {
        let job = self.get(tenant, id)?;
        if job.state.is_final() {
            return Ok(job);
        }
        self.inner.set_state(tenant, id, JobState::Cancelled).await?;
        tracing::info!(tenant = tenant.as_str(), job_id = %id, "grading job cancelled");
        self.get(tenant, id)
    }

    /// Up to `limit` results from sequence `from`.
    pub fn results(&self, tenant: &TenantId, id: JobId, from: u32, limit: usize) -> Result<Page<JobResult>, CoreError> {
        self.get(tenant, id)?;
        self.inner.results(tenant, id, from, limit)
    }

    /// Streams a job's progress and results from `start` on until the job ends.
    pub fn watch(
        &self,
        tenant: &TenantId,
        id: JobId,
        start: u32,
    ) -> Result<mpsc::Receiver<Result<JobEvent, CoreError>>, CoreError> {
        self.get(tenant, id)?;
        let (tx, rx) = mpsc::channel(64);
        let inner = self.inner.clone();
        let tenant = tenant.clone();
        tokio::spawn(async move {
            let mut changed = inner.changed.subscribe();
            let mut next = start;
            let mut last_sent: Option<Job> = None;
            loop {
                changed.borrow_and_update();
                let job = match inner.job(&tenant, id) {
                    Ok(job) => job,
                    Err(e) => {
                        let _ = tx.send(Err(e)).await;
                        return;
                    }
                };
                let page = match inner.results(&tenant, id, next, 256) {
                    Ok(page) => page,
                    Err(e) => {
                        let _ = tx.send(Err(e)).await;
                        return;
                    }
                };
                let state_changed = last_sent.as_ref().is_none_or(|l| l.state != job.state);
                if state_changed || !page.items.is_empty() {
                    if tx.send(Ok(JobEvent::Progress(job.clone()))).await.is_err() {
                        return;
                    }
                    last_sent = Some(job.clone());
                }
                // Within a chunk, results land out of order: send only the
                // gap-free run from `next`, so a reconnect from `next` never
                // skips a result that lands later (a finished job has no gaps
                // left to wait for).
                let mut gap = false;
                for result in page.items.iter().cloned() {
                    if result.sequence != next && !job.state.is_final() {
                        gap = true;
                        break;
                    }
                    next = result.sequence + 1;
                    if tx.send(Ok(JobEvent::Result(Box::new(result)))).await.is_err() {
                        return;
                    }
                }
                if page.more && !gap {
                    continue;
                }
                if job.state.is_final() && !gap {
                    if last_sent.as_ref() != Some(&job) {
                        let _ = tx.send(Ok(JobEvent::Progress(job))).await;
                    }
                    return;
                }
                // Wake on progress, or re-check now and then.
                let _ = tokio::time::timeout(std::time::Duration::from_secs(1), changed.changed()).await;
            }
        });
        Ok(rx)
    }
}

impl Inner {
    fn job(&self, tenant: &TenantId, id: JobId) -> Result<Job, CoreError> {
        let record = self
            .store
            .job(tenant.as_str(), &id.to_bytes())?
            .ok_or_else(|| CoreError::NotFound {
                resource: "grading job",
                id: id.to_string(),
            })?;
        from_record(&record)
    }

    fn results(&self, tenant: &TenantId, id: JobId, from: u32, limit: usize) -> Result<Page<JobResult>, CoreError> {
        let mut records = self
            .store
            .job_results(tenant.as_str(), &id.to_bytes(), from, limit + 1)?;
        let more = records.len() > limit;
        records.truncate(limit);
        let mut items = Vec::with_capacity(records.len());
        for (sequence, r) in records {
            let essay_id = EssayId::try_from(r.essay_id.as_slice())?;
            let essay = self.essays.get(tenant, essay_id, EssayView::Basic).ok();
            let outcome = if r.grade_id.is_empty() {
                Err(ItemFailure {
                    kind: ErrorKind::from_code(r.error_code),
                    reason: r.error_reason,
                    message: r.error_message,
                })
            } else {
                let grade_id = GradeId::try_from(r.grade_id.as_slice())?;
                self.grading
                    .get(tenant, essay_id, grade_id)
                    .map_err(|e| ItemFailure::from(&e))
            };
            items.push(JobResult {
                sequence,
                essay_id,
                outcome,
                external_id: essay.as_ref().map(|e| e.external_id.clone()).unwrap_or_default(),
                author: essay.map(|e| e.author).unwrap_or_default(),
            });
        }
        Ok(Page { items, more })
    }

    async fn set_state(&self, tenant: &TenantId, id: JobId, state: JobState) -> Result<(), CoreError> {
        let now = time_us::from_time(time_us::now());
        let change = |job: &mut JobRecord| {
            job.state = state as i32;
            match state {
                JobState::Running => job.start_time_us = job.start_time_us.or(Some(now)),
                s if s.is_final() => job.end_time_us = Some(now),
                _ => {}
            }
        };
        self.store
            .update_job(tenant.as_str(), &id.to_bytes(), &change)?
            .ok_or_else(|| CoreError::NotFound {
                resource: "grading job",
                id: id.to_string(),
            })?;
        self.store.sync().await?;
        self.changed.send_modify(|v| *v += 1);
        Ok(())
    }

    /// Grades a job's essays that have no result yet, chunk by chunk: the
    /// chunk's essays are graded in parallel on the worker pool, then their
    /// grades and results are recorded in one transaction and flushed while
    /// the next chunk is graded.
    async fn run(self: &Arc<Self>, tenant: &TenantId, id: JobId) -> Result<(), CoreError> {
        let job = self.job(tenant, id)?;
        if job.state.is_final() {
            return Ok(());
        }
        self.set_state(tenant, id, JobState::Running).await?;
        tracing::info!(tenant = tenant.as_str(), job_id = %id, total = job.total, "grading job running");
        let mut contexts = Contexts {
            rubric: (!job.rubric.is_empty()).then(|| job.rubric.clone()),
            by_assignment: BTreeMap::new(),
        };
        let mut in_flight: Option<tokio::task::JoinHandle<Result<(), CoreError>>> = None;
        // The tenant's copy-detection postings in memory: each essay's copy
        // check looks up ~100 fingerprints, and one store scan per lookup
        // was most of a job's time. A snapshot is used only while no essay
        // has been stored or deleted since it was read (else the check reads
        // the store, as GradeEssay does), so grades are the same either way.
        let mut copies = Copies::default();
        let mut fetching = self.fetch_chunk(tenant, id, 0);
        loop {
            if self.must_stop(tenant, id)? {
                recorded(in_flight.take()).await?;
                return Ok(());
            }
            // This chunk's essays were read while the previous one was
            // graded; start reading the next.
            let Some(chunk) = fetching
                .await
                .map_err(|e| CoreError::Internal(format!("essay read task failed: {e}")))??
            else {
                break;
            };
            fetching = self.fetch_chunk(tenant, id, chunk.next);
            let mut items = Vec::new();
            let mut work = Vec::new();
            for (sequence, essay_id, essay) in chunk.essays {
                match essay.and_then(|essay| contexts.with_context(&self.grading, tenant, essay)) {
                    Ok((text, context)) => work.push((sequence, essay_id, text, context)),
                    Err(e) => items.push(self.item(tenant, id, sequence, essay_id, Err(e))?),
                }
            }
            let snapshot = if work.is_empty() {
                None
            } else {
                copies.for_chunk(&self.grading, tenant).await?
            };
            for (sequence, essay_id, outcome) in self.grade_on_workers(tenant, work, snapshot).await? {
                items.push(self.item(tenant, id, sequence, essay_id, outcome)?);
            }
            // One chunk in flight at a time keeps results in order.
            recorded(in_flight.take()).await?;
            in_flight = Some(self.record_in_background(tenant, id, items));
        }
        recorded(in_flight.take()).await?;
        if self.job(tenant, id)?.state != JobState::Cancelled {
            self.set_state(tenant, id, JobState::Succeeded).await?;
            let job = self.job(tenant, id)?;
            tracing::info!(tenant = tenant.as_str(), job_id = %id, graded = job.graded, failed = job.failed, "grading job succeeded");
        }
        Ok(())
    }

    /// Whether the job must stop before its next chunk: the server is
    /// shutting down (the job resumes at the next start), or it was cancelled.
    fn must_stop(&self, tenant: &TenantId, id: JobId) -> Result<bool, CoreError> {
        if *self.stopping.borrow() {
            tracing::info!(tenant = tenant.as_str(), job_id = %id, "grading job paused for shutdown");
            return Ok(true);
        }
        Ok(self.job(tenant, id)?.state == JobState::Cancelled)
    }

    /// Grades a chunk's essays on the worker pool, in sequence order. Workers
    /// take the next essay as they finish one, so that a worker given the
    /// longer essays does not leave the others idle at the end of the chunk.
    async fn grade_on_workers(
        &self,
        tenant: &TenantId,
        work: Vec<(u32, EssayId, String, Arc<GradingContext>)>,
        snapshot: Option<Arc<PostingsSnapshot>>,
    ) -> Result<Vec<Graded>, CoreError> {
        let work = Arc::new(work);
        let taken = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..self.worker_count.min(work.len()) {
            let (work, taken) = (work.clone(), taken.clone());
            let grading = self.grading.clone();
            let tenant = tenant.clone();
            let snapshot = snapshot.clone();
            tasks.push(tokio::task::spawn_blocking(move || {
                let mut graded = Vec::new();
                while let Some((sequence, essay_id, text, context)) = work.get(taken.fetch_add(1, Ordering::Relaxed)) {
                    let outcome = grading.compute_with_text(&tenant, *essay_id, text, context, snapshot.as_deref());
                    graded.push((*sequence, *essay_id, outcome));
                }
                graded
            }));
        }
        let mut graded = Vec::with_capacity(work.len());
        for task in tasks {
            graded.extend(
                task.await
                    .map_err(|e| CoreError::Internal(format!("grading task failed: {e}")))?,
            );
        }
        graded.sort_unstable_by_key(|(sequence, _, _)| *sequence);
        Ok(graded)
    }

    /// Records a chunk's items and flushes them, in a task of its own so
    /// that the next chunk is graded meanwhile.
    fn record_in_background(
        self: &Arc<Self>,
        tenant: &TenantId,
        id: JobId,
        items: Vec<JobItem>,
    ) -> tokio::task::JoinHandle<Result<(), CoreError>> {
        let inner = self.clone();
        let tenant = tenant.clone();
        tokio::spawn(async move {
            inner
                .store
                .record_job_results(tenant.as_str(), &id.to_bytes(), &items)?;
            inner.store.sync().await?;
            for grade in items.iter().filter_map(|item| item.grade.as_ref()) {
                inner.grading.tally().record_stored(&grade.record);
            }
            inner.changed.send_modify(|v| *v += 1);
            Ok::<_, CoreError>(())
        })
    }

    /// Reads, off the runtime, the chunk of a job's essays from `sequence`
    /// on that have no result yet, with their texts, so that the workers
    /// grade from memory: a store read waits while any transaction commits
    /// (sled holds one lock over all trees), such as a chunk's results
    /// being recorded. `None` past the last essay.
    fn fetch_chunk(
        &self,
        tenant: &TenantId,
        id: JobId,
        sequence: u32,
    ) -> tokio::task::JoinHandle<Result<Option<FetchedChunk>, CoreError>> {
        let (store, essays, tenant, chunk) = (self.store.clone(), self.essays.clone(), tenant.clone(), self.chunk);
        tokio::task::spawn_blocking(move || {
            let job = id.to_bytes();
            let listed = store.job_essays(tenant.as_str(), &job, sequence, chunk)?;
            let Some(&(last, _)) = listed.last() else {
                return Ok(None);
            };
            let done: BTreeSet<u32> = store
                .job_results(tenant.as_str(), &job, sequence, chunk)?
                .into_iter()
                .map(|(s, _)| s)
                .filter(|s| *s <= last)
                .collect();
            let essays = listed
                .into_iter()
                .filter(|(s, _)| !done.contains(s))
                .map(|(s, e)| {
                    let essay_id = EssayId::from_bytes(e);
                    (s, essay_id, essays.get(&tenant, essay_id, EssayView::Full))
                })
                .collect();
            Ok(Some(FetchedChunk { next: last + 1, essays }))
        })
    }

    /// One essay's outcome as a result to record. Storage failures stop the
    /// job (it resumes later) rather than fail the essay.
    fn item(
        &self,
        tenant: &TenantId,
        id: JobId,
        sequence: u32,
        essay_id: EssayId,
        graded: Result<GradeRecordView, CoreError>,
    ) -> Result<JobItem, CoreError> {
        Ok(match graded {
            Ok(view) => {
                let record = grading::to_record(&view);
                // The store records this instead if the essay is deleted
                // between grading and recording.
                let gone = CoreError::NotFound {
                    resource: "essay",
                    id: essay_id.to_string(),
                };
                let deleted = ItemFailure {
                    message: "the essay was deleted while the job ran".into(),
                    ..ItemFailure::from(&gone)
                };
                JobItem {
                    sequence,
                    result: JobResultRecord {
                        essay_id: essay_id.to_bytes().to_vec(),
                        grade_id: record.id.clone(),
                        ..Default::default()
                    },
                    grade: Some(JobGrade {
                        record,
                        if_essay_deleted: failure_record(essay_id, deleted),
                    }),
                }
            }
            // Storage trouble stops the job (to be retried), not the essay.
            Err(e) if e.is_transient() => return Err(e),
            Err(e) => {
                tracing::warn!(tenant = tenant.as_str(), job_id = %id, essay_id = %essay_id, error = %e, "essay not graded");
                JobItem {
                    sequence,
                    result: failure_record(essay_id, ItemFailure::from(&e)),
                    grade: None,
                }
            }
        })
    }
}

/// Waits until the chunk being recorded (if any) is recorded and flushed.
async fn recorded(in_flight: Option<tokio::task::JoinHandle<Result<(), CoreError>>>) -> Result<(), CoreError> {
    match in_flight {
        Some(task) => task
            .await
            .map_err(|e| CoreError::Internal(format!("record task failed: {e}")))?,
        None => Ok(()),
    }
}

/// One essay's outcome from the workers: its sequence, id and grade.
type Graded = (u32, EssayId, Result<GradeRecordView, CoreError>);

/// Each essay's grading context (question, rubric, model), resolved once per
/// assignment for a job.
struct Contexts {
    /// The rubric the job names, if any, instead of each assignment's.
    rubric: Option<String>,
    by_assignment: BTreeMap<Option<AssignmentId>, Result<Arc<GradingContext>, CoreError>>,
}

impl Contexts {
    /// The essay's text and the context to grade it in.
    fn with_context(
        &mut self,
        grading: &Grading,
        tenant: &TenantId,
        mut essay: Essay,
    ) -> Result<(String, Arc<GradingContext>), CoreError> {
        let rubric = &self.rubric;
        let context = self
            .by_assignment
            .entry(essay.assignment_id.clone())
            .or_insert_with(|| grading.context(tenant, &essay, None, rubric.clone()).map(Arc::new))
            .clone()?;
        Ok((essay.text.take().unwrap_or_default(), context))
    }
}

/// A chunk of a job's essays read for grading: each with its text, or why
/// it could not be read.
struct FetchedChunk {
    /// The sequence number after the chunk's last essay.
    next: u32,
    essays: Vec<(u32, EssayId, Result<Essay, CoreError>)>,
}

/// The stored result of an essay a job could not grade.
fn failure_record(essay_id: EssayId, failure: ItemFailure) -> JobResultRecord {
    JobResultRecord {
        essay_id: essay_id.to_bytes().to_vec(),
        grade_id: Vec::new(),
        error_code: failure.kind.code(),
        error_message: failure.message,
        error_reason: failure.reason,
    }
}

/// A job's snapshot of its tenant's copy-detection postings, kept current
/// between chunks.
#[derive(Default)]
struct Copies {
    snapshot: Option<Arc<PostingsSnapshot>>,
    /// The index version at the previous chunk's start.
    previous: Option<u64>,
    /// The tenant had too many postings to hold: not tried again this job.
    too_large: bool,
}

impl Copies {
    /// The snapshot for the next chunk: the one held while current, else a
    /// new one, read only if no essay was stored or deleted during the
    /// previous chunk. While essays keep arriving, reading a snapshot per
    /// chunk would cost as much as the store lookups it saves, so the chunk
    /// reads the store instead. `None` for a tenant too large to hold.
    async fn for_chunk(
        &mut self,
        grading: &Grading,
        tenant: &TenantId,
    ) -> Result<Option<Arc<PostingsSnapshot>>, CoreError> {
        let now = grading.copies_version();
        let quiet = self.previous.is_none_or(|v| v == now);
        self.previous = Some(now);
        if let Some(s) = &self.snapshot
            && grading.copies_snapshot_is_current(s)
        {
            return Ok(Some(s.clone()));
        }
        self.snapshot = None;
        if quiet && !self.too_large {
            let grading = grading.clone();
            let tenant = tenant.clone();
            self.snapshot = tokio::task::spawn_blocking(move || grading.copies_snapshot(&tenant))
                .await
                .map_err(|e| CoreError::Internal(format!("copy snapshot task failed: {e}")))??
                .map(Arc::new);
            self.too_large = self.snapshot.is_none();
        }
        Ok(self.snapshot.clone())
    }
}

fn from_record(r: &JobRecord) -> Result<Job, CoreError> {
    Ok(Job {
        id: JobId::try_from(r.id.as_slice())?,
        assignment_id: (!r.assignment_id.is_empty())
            .then(|| AssignmentId::parse("assignment_id", &r.assignment_id))
            .transpose()?,
        rubric: r.rubric.clone(),
        state: JobState::from_i32(r.state)?,
        total: r.total,
        graded: r.graded,
        failed: r.failed,
        create_time: time_us::to_time(r.create_time_us)?,
        start_time: r.start_time_us.map(time_us::to_time).transpose()?,
        end_time: r.end_time_us.map(time_us::to_time).transpose()?,
    })
}
