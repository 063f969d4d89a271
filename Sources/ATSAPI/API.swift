import ATSAuth
import ATSDomain
import ATSFeatures
import ATSHTTP
import ATSPersistence
import ATSSupport

/// The composition root of the HTTP API: it builds the services and the request
/// pipeline once, and hands each resource's routes (`Routes/`) just what they use.
/// Handlers live there and read decode → service → encode.
public final class API: Sendable {
    let database: any Database
    let logger: Logger
    let tenants: TenantDirectory
    private let jobRoutes: JobRoutes
    private let applicationRoutes: ApplicationRoutes
    private let userRoutes: UserRoutes
    private let authRoutes: AuthRoutes
    private let privacyRoutes: PrivacyRoutes
    private let candidateRoutes: CandidateRoutes
    private let noteRoutes: NoteRoutes
    private let interviewRoutes: InterviewRoutes
    private let tokens: TokenSigner
    private let apiKeyRoutes: APIKeyRoutes
    private let tenantRoutes: TenantRoutes
    private let pipelineRoutes: PipelineRoutes
    private let rejectionReasonRoutes: RejectionReasonRoutes
    private let webhookRoutes: WebhookRoutes
    private let documentRoutes: DocumentRoutes
    /// Swagger UI's files when served locally (`ATS_DOCS_ASSETS`), for /docs.
    let docsAssets: DocsAssets?
    private let reportRoutes: ReportRoutes
    private let keyUsage = APIKeyUsageRecorder()
    private let operatorRoutes: OperatorRoutes
    private let requestCounts = TenantRequestCounter()
    private let rateLimit: RateLimitMiddleware?
    private let idempotency: IdempotencyMiddleware
    private let auditRoutes: AuditRoutes
    private let auditMiddleware: AuditMiddleware

    public init(database: any Database, configuration: APIConfiguration, passwords: PasswordHasher = .owaspMinimum,
                logger: Logger = Logger(level: .info)) throws {
        self.database = database
        self.logger = logger
        tenants = TenantDirectory(database: database, defaultSlug: configuration.defaultTenant, baseDomain: configuration.baseDomain)
        tokens = TokenSigner(key: configuration.secretKey)
        let users = UserService()
        let applications = ApplicationService()
        jobRoutes = JobRoutes(database: database, jobs: JobService(), applications: applications)
        applicationRoutes = ApplicationRoutes(database: database, applications: applications)
        userRoutes = UserRoutes(database: database, users: users, notifications: NotificationService(), passwords: passwords)
        noteRoutes = NoteRoutes(database: database, notes: NoteService())
        interviewRoutes = InterviewRoutes(database: database, interviews: InterviewService())
        let loginLimiter = RateLimiter(windowSeconds: configuration.loginWindowSeconds)
        privacyRoutes = PrivacyRoutes(database: database, privacy: PrivacyService(), passwords: passwords, configuration: configuration,
                                      loginLimiter: loginLimiter)
        let accounts = AccountService(sealer: try SecretSealer(secretKey: configuration.secretKey), resetURL: configuration.resetURL)
        candidateRoutes = CandidateRoutes(database: database, candidates: CandidateService(invitations: accounts), applications: applications)
        authRoutes = AuthRoutes(database: database, users: users, accounts: accounts, configuration: configuration, tokens: tokens, passwords: passwords,
                                loginLimiter: loginLimiter,
                                signupLimiter: RateLimiter(windowSeconds: 3600),
                                dummyHash: try passwords.decoyHash())
        apiKeyRoutes = APIKeyRoutes(database: database, keys: APIKeyService())
        tenantRoutes = TenantRoutes(database: database, settings: TenantSettingsService(), directory: tenants)
        pipelineRoutes = PipelineRoutes(database: database, pipelines: PipelineService())
        rejectionReasonRoutes = RejectionReasonRoutes(database: database, reasons: RejectionReasonService())
        webhookRoutes = WebhookRoutes(database: database,
                                      webhooks: WebhookService(policy: configuration.webhookPolicy, sealer: try SecretSealer(secretKey: configuration.secretKey)))
        documentRoutes = DocumentRoutes(database: database, documents: DocumentService(), maxUpload: configuration.maxUpload)
        docsAssets = configuration.docsAssets
        reportRoutes = ReportRoutes(database: database, reports: ReportService())
        auditRoutes = AuditRoutes(database: database, audit: AuditService())
        auditMiddleware = AuditMiddleware(trustedProxies: configuration.trustedProxies)
        operatorRoutes = OperatorRoutes(database: database, tenants: TenantService(), accounts: accounts, directory: tenants, requests: requestCounts,
                                        configuration: configuration)
        rateLimit = configuration.rateLimitPerMinute > 0
            ? RateLimitMiddleware(limit: configuration.rateLimitPerMinute, trustedProxies: configuration.trustedProxies, logger: logger) : nil
        idempotency = IdempotencyMiddleware(guardian: IdempotencyGuard(database: database, service: IdempotencyService(),
                                                                       trustedProxies: configuration.trustedProxies, logger: logger))
    }

    /// The operator routes: no tenant, their own token (errors mapped by the server's
    /// responder, as for the other routes outside the tenant middleware).
    func registerOperator(on router: inout Router) {
        operatorRoutes.register(on: &router)
    }

    /// The tenant routes behind their middleware: problem mapping (every 500 logged) →
    /// audit context → tenant (suspended: 403) → credentials → rate limit (when on) →
    /// idempotency keys → handler.
    func register(on router: inout Router) {
        router.use(ProblemMiddleware(logger: logger))
        router.use(auditMiddleware)
        router.use(TenantMiddleware(tenants: tenants, requests: requestCounts))
        router.use(AuthenticationMiddleware(tokens: tokens, database: database, keyUsage: keyUsage, logger: logger))
        if let rateLimit { router.use(rateLimit) }
        router.use(idempotency)
        authRoutes.register(on: &router)
        userRoutes.register(on: &router)
        jobRoutes.register(on: &router)
        applicationRoutes.register(on: &router)
        privacyRoutes.register(on: &router)
        apiKeyRoutes.register(on: &router)
        tenantRoutes.register(on: &router)
        candidateRoutes.register(on: &router)
        noteRoutes.register(on: &router)
        interviewRoutes.register(on: &router)
        pipelineRoutes.register(on: &router)
        rejectionReasonRoutes.register(on: &router)
        webhookRoutes.register(on: &router)
        documentRoutes.register(on: &router)
        reportRoutes.register(on: &router)
        auditRoutes.register(on: &router)
    }
}
