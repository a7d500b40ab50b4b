// The personal pass: the device registers with the authority once, then shows a QR that
// the door's staff app verifies offline; the screen shows the countdown and makes a new pass
// before the old one expires. Mirrors Pass.kt.

import Foundation

public enum PassState: Equatable {
    case needsDeclaration, registering
    case showing(text: String, expiresAt: Int64)
    case failed(Bilingual)
}

public final class PassViewModel {
    public private(set) var state = PassState.needsDeclaration
    private var declaration: DeclarationInput?
    private var showName = false
    private let service: PassService, settings: Settings, clock: DemoClock, renewBefore: Int64
    public static let certificateKey = "pass.certificate"

    public init(service: PassService, settings: Settings, clock: DemoClock = SystemClock(), renewBefore: Int64 = 30) {
        self.service = service; self.settings = settings; self.clock = clock; self.renewBefore = renewBefore
    }

    public func show(_ declaration: DeclarationInput, showName: Bool) async {
        self.declaration = declaration
        self.showName = showName
        var certificate = settings.get(Self.certificateKey).flatMap { Data(base64Encoded: $0) }
        if certificate == nil {
            state = .registering
            do {
                let c = try await service.register()
                settings.put(Self.certificateKey, c.base64EncodedString())
                certificate = c
            } catch let e as LibraryError { state = .failed(e.text); return } catch { return }
        }
        if let certificate { await render(certificate) }
    }

    private func render(_ certificate: Data) async {
        guard let d = declaration else { return }
        do { state = .showing(text: try await service.makePass(d, certificate: certificate, showName: showName),
                              expiresAt: clock.nowSeconds + service.validSeconds) }
        catch let e as LibraryError { state = .failed(e.text) } catch {}
    }

    public func remainingSeconds() -> Int64 {
        if case .showing(_, let expiresAt) = state { return max(0, expiresAt - clock.nowSeconds) }
        return 0
    }

    public func countdown() -> Message {
        let s = remainingSeconds()
        return Message(.pass_expires_in, [String(format: "%d:%02d", Int(s / 60), Int(s % 60))])
    }

    /// Called every second by the screen: renews the pass when it is about to expire.
    public func tick() async {
        guard case .showing = state, remainingSeconds() <= renewBefore,
              let c = settings.get(Self.certificateKey).flatMap({ Data(base64Encoded: $0) }) else { return }
        await render(c)
    }
}

public func statusKey(_ s: PassStatus) -> Str {
    switch s { case .green: return .pass_status_green; case .yellow: return .pass_status_yellow; case .red: return .pass_status_red }
}
