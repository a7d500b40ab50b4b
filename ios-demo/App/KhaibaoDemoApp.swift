// The SwiftUI app: opens the library (keys wrapped by the Keychain), registers the
// background refresh, and shows onboarding on first start, then the citizen's tabs (check
// in, diary, personal pass) and the staff door. A tapped exposure notification opens the
// diary at the matching visit.

import BackgroundTasks
import Foundation
import Khaibao
import KhaibaoDemoCore
import SwiftUI
import UIKit
import UserNotifications

/// The library handle and the demo's ports for the process, or why they could not open.
final class AppModel: ObservableObject {
    let settings = UserDefaultsSettings()
    @Published private(set) var ports: LibraryPorts?
    @Published private(set) var app: KhaibaoLibrary?
    @Published private(set) var openError: String?
    @Published var openVisit: Int64?

    /// Opens the library (the library makes its database key; the Keychain key wraps it).
    /// A backup restored onto another phone cannot unwrap it: that diary is discarded and an
    /// empty one opened.
    func open() async {
        guard app == nil, openError == nil else { return }
        do {
            let db = try FileManager.default.url(for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
                .appendingPathComponent("khaibao.db")
            let config = Deployment.config(dbPath: db.path)
            let wrapper = KeychainKeyWrapper()
            let app: KhaibaoLibrary
            do {
                app = try await KhaibaoLibrary.open(config: config, keyWrapper: wrapper)
            } catch KhaibaoError.Keystore(let code, _, _, _) where code == .keystoreUnavailable {
                try await discardUnrecoverableDiary(config: config, keyWrapper: wrapper)
                app = try await KhaibaoLibrary.open(config: config, keyWrapper: wrapper)
            }
            let ports = LibraryPorts(app: app, client: URLSessionHostClient(), trustConfigured: false)
            await MainActor.run { self.app = app; self.ports = ports }
        } catch {
            let message = libraryError(error).text.text(Texts.language)
            await MainActor.run { openError = message }
        }
    }
}

@main
struct KhaibaoDemoApp: App {
    @UIApplicationDelegateAdaptor(AppDelegate.self) var delegate
    @StateObject private var model = AppModel()

    var body: some Scene {
        WindowGroup {
            RootView()
                .environmentObject(model)
                .onAppear {
                    delegate.model = model
                    Task {
                        await model.open()
                        if let ports = model.ports { Background.register(ports) }
                    }
                }
        }
    }
}

/// Registers the refresh task before launch ends (as BGTaskScheduler requires) and routes
/// notification taps to the diary.
final class AppDelegate: NSObject, UIApplicationDelegate, UNUserNotificationCenterDelegate {
    weak var model: AppModel?

    func application(_ application: UIApplication,
                     didFinishLaunchingWithOptions launchOptions: [UIApplication.LaunchOptionsKey: Any]? = nil) -> Bool {
        UNUserNotificationCenter.current().delegate = self
        Background.registerHandler()
        return true
    }

    func userNotificationCenter(_ center: UNUserNotificationCenter, didReceive response: UNNotificationResponse,
                                withCompletionHandler completionHandler: @escaping () -> Void) {
        if let id = response.notification.request.content.userInfo[Notifications.visitKey] as? Int64 {
            model?.openVisit = id
        }
        completionHandler()
    }
}

/// The deployment's authority keys and URL (from its provisioning).
enum Deployment {
    /// The venue signing key's id: 4 bytes, as `khaibao keygen` prints it (`kid=`).
    static let venueKid = Data(count: 4)
    static let venueSigning = Data(count: 32)
    /// The device-certificate key (`device_public` in public.txt): what the staff door trusts.
    static let deviceKid = Data(count: 4)
    static let devicePublic = Data(count: 32)
    /// The root key that signs the keyset (`root_public` in public.txt), which brings the
    /// online keys (exposure lists, device certificates) and their rotations.
    static let rootPublic = Data(count: 32)
    static let authoritySealing = Data(count: 32)
    static let authorityURL = "https://authority.example.vn"

    static var venueKeys: [TrustedKey] { [TrustedKey(kid: venueKid, publicKey: venueSigning)] }
    static var deviceKeys: [TrustedKey] { [TrustedKey(kid: deviceKid, publicKey: devicePublic)] }

    static func config(dbPath: String) -> KhaibaoConfig {
        KhaibaoConfig(dbPath: dbPath, venueKeys: venueKeys, authoritySealingKey: authoritySealing,
                      authorityUrl: authorityURL, rootPublicKey: rootPublic)
    }
}
