import ATSSupport

// Each entity's id type: one generic `ID`, tagged by the entity it names.
public typealias TenantID = ID<Tenant>
public typealias UserID = ID<User>
public typealias JobID = ID<Job>
public typealias ApplicationID = ID<Application>
