// First start: the language, what the app keeps on the phone and for how long, and why it
// asks for the camera. Scrolls, for large Dynamic Type sizes.

import Foundation
import KhaibaoDemoCore
import SwiftUI

struct OnboardingView: View {
    let vm: OnboardingViewModel
    let onDone: () -> Void
    @State private var tick = 0

    var body: some View {
        ScrollView {
            VStack(alignment: .leading, spacing: 16) {
                switch tick >= 0 ? vm.step : vm.step {
                case .language:
                    Text(Texts.text(Message(.onboarding_language))).font(.title2)
                    Button("Tiếng Việt") { vm.choose(.vi); tick += 1 }
                    Button("English") { vm.choose(.en); tick += 1 }
                case .stored:
                    Text(Texts.text(vm.storedText()))
                    Button(Texts.text("continue_")) { vm.next(); tick += 1 }
                case .camera:
                    Text(Texts.text(Message(.onboarding_camera)))
                    Button(Texts.text("start")) { vm.next(); onDone() }
                case .done:
                    EmptyView()
                }
            }.padding()
        }
    }
}
