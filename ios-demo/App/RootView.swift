// The root: onboarding on first start, then the tabs. An exposure notification's tap opens
// the diary at the matching visit.

import Foundation
import KhaibaoDemoCore
import SwiftUI

struct RootView: View {
    @EnvironmentObject var model: AppModel
    @State private var onboarded = false
    @State private var tab = 0

    var body: some View {
        if let error = model.openError {
            Text(error).padding()
        } else if let ports = model.ports {
            if !onboarded && OnboardingViewModel(settings: model.settings).step != .done {
                OnboardingView(vm: OnboardingViewModel(settings: model.settings)) {
                    onboarded = true
                    Notifications.requestPermission()
                }
            } else {
                TabView(selection: $tab) {
                    CheckInView(ports: ports)
                        .tabItem { Label(Texts.text("tab_check_in"), systemImage: "qrcode.viewfinder") }.tag(0)
                    DiaryView(diary: ports, highlight: model.openVisit)
                        .tabItem { Label(Texts.text("tab_diary"), systemImage: "list.bullet") }.tag(1)
                    PassView(service: ports, settings: model.settings)
                        .tabItem { Label(Texts.text("tab_pass"), systemImage: "person.text.rectangle") }.tag(2)
                    StaffView()
                        .tabItem { Label(Texts.text("tab_staff"), systemImage: "door.left.hand.open") }.tag(3)
                }
                .onChange(of: model.openVisit) { visit in if visit != nil { tab = 1 } }
            }
        }
    }
}
