// The SwiftUI app: scan → venue confirmation → declaration form → diary, with background
// upload in BGTaskScheduler. Needs Xcode (iOS SDK); not compiled by the test command.

import BackgroundTasks
import Khaibao
import KhaibaoDemoCore
import SwiftUI

@main
struct KhaibaoDemoApp: App {
    static let syncTask = "vn.khaibao.demo.sync"
    let app: Khaibao

    /// The database master key: random on first start, kept wrapped by the Keychain key.
    static func masterKey(_ keyStore: KeychainKeyStore) -> Data {
        let defaults = UserDefaults.standard
        if let wrapped = defaults.data(forKey: "khaibao.master_key") {
            return try! keyStore.unwrap(wrapped: wrapped)
        }
        var key = Data(count: 32)
        _ = key.withUnsafeMutableBytes { SecRandomCopyBytes(kSecRandomDefault, 32, $0.baseAddress!) }
        defaults.set(try! keyStore.wrap(secret: key), forKey: "khaibao.master_key")
        return key
    }

    init() {
        let keyStore = KeychainKeyStore()
        try! verifyKeyStore(store: keyStore)
        let db = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
            .appendingPathComponent("khaibao.db")
        try? FileManager.default.createDirectory(at: db.deletingLastPathComponent(), withIntermediateDirectories: true)
        app = try! Khaibao.open(config: Deployment.config(dbPath: db.path, masterKey: Self.masterKey(keyStore)))
        let app = self.app
        BGTaskScheduler.shared.register(forTaskWithIdentifier: Self.syncTask, using: nil) { task in
            let work = Task {
                let outcome = await runSync(app, client: URLSessionHostClient(), listener: NoProgress())
                KhaibaoDemoApp.scheduleSync()
                task.setTaskCompleted(success: outcome != .failed)
            }
            task.expirationHandler = { work.cancel() }
        }
        Self.scheduleSync()
    }

    static func scheduleSync() {
        let request = BGProcessingTaskRequest(identifier: syncTask)
        request.requiresNetworkConnectivity = true
        request.earliestBeginDate = Date(timeIntervalSinceNow: 15 * 60)
        try? BGTaskScheduler.shared.submit(request)
    }

    var body: some Scene {
        WindowGroup { ContentView(app: app) }
    }
}

final class NoProgress: SyncListener, @unchecked Sendable {
    func onBatch(batch: UInt32, httpStatus: UInt16) {}
    func onFinished(report: DrainReport?) {}
}

/// The deployment's authority keys and URL.
enum Deployment {
    static func config(dbPath: String, masterKey: Data) -> KhaibaoConfig {
        KhaibaoConfig(dbPath: dbPath,
                      venueKeys: [TrustedKey(kid: Data(count: 16), publicKey: Data(count: 32))],
                      authoritySealingKey: Data(count: 32),
                      authorityUrl: "https://authority.example.vn",
                      masterKey: masterKey)
    }
}

struct ContentView: View {
    let app: Khaibao
    @State private var scanned: ScannedVenue?
    @State private var showForm = false
    @State private var message: String?

    var body: some View {
        NavigationStack {
            if let scanned {
                if showForm {
                    DeclarationView { declaration, model in
                        do {
                            _ = try app.checkIn(venue: scanned, declaration: declaration)
                            self.scanned = nil
                            showForm = false
                        } catch KhaibaoError.Validation(let fields, _, _) {
                            model.show(fields)
                        } catch {
                            message = "\(error)"
                        }
                    }
                } else {
                    let card = venueCard(scanned)
                    VStack(alignment: .leading, spacing: 12) {
                        Text(card.title).font(.title2)
                        Text(card.subtitle)
                        if let warning = card.warning { Text(warning).foregroundColor(.red) }
                        Button("Khai báo và check-in") { showForm = true }
                        Button("Huỷ") { self.scanned = nil }
                    }.padding()
                }
            } else {
                VStack {
                    ScannerView { text in
                        do { scanned = try app.readVenue(text: text) } catch KhaibaoError.Venue(_, let messageVi, _, _), KhaibaoError.Format(_, let messageVi, _, _) {
                            message = messageVi
                        } catch {}
                    }
                    if let message { Text(message) }
                    NavigationLink("Nhật ký") { DiaryView(app: app) }
                }
            }
        }
    }
}

struct DeclarationView: View {
    let onSubmit: (Declaration, DeclarationFormModel) -> Void
    @State private var model = DeclarationFormModel(language: .vi)
    @State private var state = DeclarationFormState()
    @State private var errors: [String: String] = [:]

    var body: some View {
        Form {
            field("Họ và tên", $state.fullName, "full_name")
            field("Năm sinh", $state.birthYear, "birth_year")
            field("Số điện thoại", $state.phone, "phone")
            field("Mã tỉnh", $state.province, "province")
            Button("Gửi tờ khai") {
                model.state = state
                if let d = model.submit() { onSubmit(d, model) }
                errors = model.errors
            }
        }
    }

    @ViewBuilder func field(_ label: String, _ text: Binding<String>, _ key: String) -> some View {
        TextField(label, text: text)
        if let e = errors[key] { Text(e).foregroundColor(.red).font(.caption) }
    }
}

struct DiaryView: View {
    let app: Khaibao
    var body: some View {
        let rows = (try? app.diary()).map(diaryRows) ?? []
        List {
            Text((try? app.outboxCounts()).map(outboxStatus) ?? "")
            ForEach(rows, id: \.id) { row in VStack(alignment: .leading) { Text(row.venue); Text(row.period).font(.caption) } }
        }
    }
}
