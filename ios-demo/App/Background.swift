// Background work: right after a check-in the upload runs at once (in a background task so
// it finishes if the person leaves the app), and a BGAppRefreshTask (identifier declared in
// Info.plist's BGTaskSchedulerPermittedIdentifiers, see project.yml) uploads, refreshes
// trust and fetches exposure lists; alerts become local notifications.

import BackgroundTasks
import Foundation
import KhaibaoDemoCore
import UIKit
import UserNotifications

enum Background {
    static let refreshTask = "vn.khaibao.demo.refresh"
    private static var ports: BackgroundSync?

    /// Called at launch, before the app finishes launching.
    static func registerHandler() {
        BGTaskScheduler.shared.register(forTaskWithIdentifier: refreshTask, using: nil) { task in
            schedule()
            guard let ports else { task.setTaskCompleted(success: false); return }
            let work = Task {
                let outcome = await runBackgroundSync(ports) { Notifications.post($0) }
                task.setTaskCompleted(success: outcome == .done)
            }
            task.expirationHandler = { work.cancel() }
        }
    }

    static func register(_ sync: BackgroundSync) {
        ports = sync
        schedule()
    }

    static func schedule() {
        let request = BGAppRefreshTaskRequest(identifier: refreshTask)
        request.earliestBeginDate = Date(timeIntervalSinceNow: 15 * 60)
        try? BGTaskScheduler.shared.submit(request)
    }

    /// After a check-in: upload now, finishing in the background if the app is left.
    static func uploadNow() {
        guard let ports else { return }
        let app = UIApplication.shared
        var id = UIBackgroundTaskIdentifier.invalid
        id = app.beginBackgroundTask(withName: "khaibao-upload") { app.endBackgroundTask(id) }
        Task {
            _ = try? await ports.upload()
            app.endBackgroundTask(id)
        }
    }
}

enum Notifications {
    static let visitKey = "visit"

    static func requestPermission() {
        UNUserNotificationCenter.current().requestAuthorization(options: [.alert, .sound]) { _, _ in }
    }

    static func post(_ alerts: [AlertNotification]) {
        for alert in alerts {
            let content = UNMutableNotificationContent()
            content.title = Texts.text(alert.title)
            content.body = Texts.text(alert.body) + "\n" + Texts.text(alert.advice)
            content.userInfo = [visitKey: alert.visitId]
            let request = UNNotificationRequest(identifier: "exposure-\(alert.visitId)", content: content, trigger: nil)
            UNUserNotificationCenter.current().add(request) { _ in }
        }
    }
}
