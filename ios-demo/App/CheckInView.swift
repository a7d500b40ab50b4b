// The check-in screen, one branch per state of CheckInViewModel: the camera permission
// request, the denied state offering manual entry, the scanner (with torch), manual code
// entry, the venue confirmation, the declaration form and the active visit with check-out
// and its automatic check-out time.

import Foundation
import KhaibaoDemoCore
import SwiftUI

struct CheckInView: View {
    @State private var vm: CheckInViewModel
    @State private var tick = 0
    @State private var torch = false
    @State private var form = DeclarationFormViewModel(validator: CoreValidator(), language: Texts.language, units: AppUnits.shared)
    private let timer = Timer.publish(every: 30, on: .main, in: .common).autoconnect()

    init(ports: LibraryPorts) { _vm = State(initialValue: CheckInViewModel(service: ports)) }

    /// Runs a view-model call (those that reach the library are async) and re-renders.
    private func act(_ block: @escaping () async -> Void) {
        Task { @MainActor in
            await block()
            Texts.announce(vm.takeAnnouncement())
            tick += 1
        }
    }

    var body: some View {
        VStack(alignment: .leading, spacing: 12) {
            if let error = vm.error { Text(Texts.text(error)).foregroundColor(.red) }
            switch tick >= 0 ? vm.state : vm.state {
            case .askingPermission:
                Text(Texts.text("camera_permission_needed"))
            case .permissionDenied:
                Text(Texts.text(Message(.camera_permission_denied)))
                Button(Texts.text(Message(.enter_code_manually))) { act { vm.openManualEntry() } }
            case .scanning:
                Text(Texts.text(Message(.scan_hint)))
                ScannerView(gate: vm.gate, torch: torch) { text in act { await vm.onScanned(text) } }
                Toggle(Texts.text("torch"), isOn: $torch)
                Button(Texts.text(Message(.enter_code_manually))) { act { vm.openManualEntry() } }
                Button(Texts.text("back")) { act { await vm.cancel() } }
            case .manualEntry(let typed):
                ScrollView {
                    TextField(Texts.text("manual_code"), text: Binding(get: { typed }, set: { v in act { vm.typeManual(v) } }))
                        .accessibilityLabel(Texts.text("manual_code"))
                    Button(Texts.text("continue_")) { act { await vm.submitManual() } }
                    Button(Texts.text("back")) { act { await vm.cancel() } }
                }
            case .confirming(let venue):
                let card = venueCard(venue.info)
                ScrollView {
                    Text(card.title).font(.title2)
                    if let category = card.category { Text(Texts.text(category)) }
                    Text(card.subtitle)
                    if let warning = card.warning { Text(Texts.text(warning)).foregroundColor(.red) }
                    Button(Texts.text("declare_and_check_in")) { act { await vm.confirm(withDeclaration: true) } }
                    Button(Texts.text("check_in_only")) { act { await vm.confirm(withDeclaration: false); Background.uploadNow() } }
                    Button(Texts.text("cancel")) { act { await vm.cancel() } }
                }
            case .declaring:
                DeclarationView(vm: form, onCancel: { act { await vm.cancel() } }) {
                    act {
                        await vm.submitDeclaration(form)
                        if case .active = vm.state { Background.uploadNow() }
                    }
                }
            case .active(let visit):
                Text(visit.venueName).font(.title2)
                ForEach(vm.activeLines(visit), id: \.key) { Text(Texts.text($0)) }
                Button(Texts.text("check_out")) { act { await vm.checkOut() } }
                Button(Texts.text("scan_next")) { act { vm.scanNext() } }
            }
        }
        .padding()
        .onAppear {
            act { await vm.start(cameraGranted: CameraPermission.granted) }
            if CameraPermission.granted == nil { CameraPermission.request { granted in act { vm.onPermissionResult(granted) } } }
        }
        .onReceive(timer) { _ in act { vm.tick() } }
    }
}
