import ATSSupport

/// What a report covers: the applications created in `[from, to]` (of one job, or of
/// every job). Defaults and limits are the service's; the window is never empty or
/// inverted here.
public struct ReportWindow: Sendable, Equatable {
    public let from: Timestamp
    public let to: Timestamp
    public let job: JobID?

    public init(from: Timestamp, to: Timestamp, job: JobID?) {
        self.from = from
        self.to = to
        self.job = job
    }
}

/// Of the applications in the window: how many ever reached each stage (entered it at
/// least once) and how many are in it now.
public struct FunnelReport: Sendable, Equatable {
    public struct StageRow: Sendable, Equatable {
        public let definition: Pipeline.StageDefinition
        public let reached: Int
        public let current: Int
    }

    public let window: ReportWindow
    public let applications: Int
    public let stages: [StageRow]
    public let hired: Int
    public let rejected: Int

    public init(window: ReportWindow, applications: Int, stages: [StageRow], hired: Int, rejected: Int) {
        self.window = window
        self.applications = applications
        self.stages = stages
        self.hired = hired
        self.rejected = rejected
    }
}

extension FunnelReport.StageRow {
    public init(_ definition: Pipeline.StageDefinition, reached: Int, current: Int) {
        self.definition = definition
        self.reached = reached
        self.current = current
    }
}

/// Completed stays in one stage (entered, then left by any move, rejection included):
/// their number and the median and 90th percentile of their length, in hours
/// (interpolated like PostgreSQL's `percentile_cont`; nil without samples).
public struct StageDurationRow: Sendable, Equatable {
    public let definition: Pipeline.StageDefinition
    public let samples: Int
    public let medianHours: Double?
    public let p90Hours: Double?

    public init(_ definition: Pipeline.StageDefinition, samples: Int, medianHours: Double?, p90Hours: Double?) {
        self.definition = definition
        self.samples = samples
        self.medianHours = medianHours
        self.p90Hours = p90Hours
    }
}

/// The statistics of one stage's completed stays, as the database computes them.
public struct StayStatistics: Sendable, Equatable {
    public let samples: Int
    public let medianHours: Double
    public let p90Hours: Double

    public init(samples: Int, medianHours: Double, p90Hours: Double) {
        self.samples = samples
        self.medianHours = medianHours
        self.p90Hours = p90Hours
    }
}

/// Applications by where they came from (`direct` when no source was given), and how
/// many of them are hired now.
public struct SourceRow: Sendable, Equatable {
    public let source: String
    public let applications: Int
    public let hired: Int

    public init(source: String, applications: Int, hired: Int) {
        self.source = source
        self.applications = applications
        self.hired = hired
    }
}
