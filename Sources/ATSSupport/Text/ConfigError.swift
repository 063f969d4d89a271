/// A configuration value the program cannot use. Its description is one line naming the
/// variable and what is wrong, for the CLI to print before exiting with status 2.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    public let variable: String
    public let problem: String

    public init(_ variable: String, _ problem: String) {
        self.variable = variable
        self.problem = problem
    }

    public var description: String { "\(variable): \(problem)" }
}
