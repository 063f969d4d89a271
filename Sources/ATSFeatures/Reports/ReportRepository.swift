import ATSDomain

/// The reports' aggregates, each computed by the database in one statement over the
/// applications created in a window (API.md, Reports): counts and percentiles come
/// back, never the rows.
public protocol ReportRepository {
    /// How many applications are in the window, how many are in each stage now, how
    /// many ever entered each stage (from the stage history), and how many are in their
    /// job's `hired` stage now.
    func funnel(_ tenant: TenantID, _ window: ReportWindow) throws -> FunnelCounts
    /// Completed stays per stage: a stay starts with the history entry that entered the
    /// stage and ends with the application's next entry.
    func stays(_ tenant: TenantID, _ window: ReportWindow) throws -> [Stage: StayStatistics]
    /// Applications and hires per source, most applications first.
    func sources(_ tenant: TenantID, _ window: ReportWindow) throws -> [SourceRow]
}

public struct FunnelCounts: Sendable, Equatable {
    public var applications = 0
    public var current: [Stage: Int] = [:]
    public var reached: [Stage: Int] = [:]
    public var hired = 0

    public init() {}
}
