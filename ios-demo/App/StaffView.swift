// Staff mode at a venue's door: scan visitors' personal passes (verified on the phone, no
// network needed), see entry or exit with the pass's status and whether the person declared
// it or the authority attested it, today's list and the day's report, and export the report
// as CSV.

import Khaibao
import Foundation
import KhaibaoDemoCore
import SwiftUI

struct StaffView: View {
    @State private var vm: DoorLogViewModel?
    @State private var tick = 0
    @State private var openError: String?
    @State private var csv: String?
    @State private var torch = false
    /// The door may be opened before the check-in screen ever asked for the camera.
    @State private var cameraGranted = CameraPermission.granted

    private func open() {
        guard vm == nil else { return }
        Task { @MainActor in
            do {
                let dir = try FileManager.default.url(for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
                let staff = try await VenueStaff.open(dbPath: dir.appendingPathComponent("door.db").path, authorityKeys: Deployment.deviceKeys)
                guard vm == nil else { return }
                let door = DoorLogViewModel(log: LibraryDoorLog(staff: staff))
                vm = door
                await reload(door)
            } catch {
                openError = Texts.text(libraryError(error).text)
            }
        }
    }

    private func reload(_ door: DoorLogViewModel) async {
        await door.refresh()
        csv = try? await door.export()
        tick += 1
    }

    var body: some View {
        let _ = tick
        VStack(alignment: .leading, spacing: 12) {
            if let openError { Text(openError).foregroundColor(.red) }
            Text(Texts.text(Message(.door_offline))).font(.caption)
            if let vm {
                if cameraGranted == true {
                    ScannerView(gate: vm.gate, torch: torch) { text in
                        Task { @MainActor in
                            await vm.onScanned(text)
                            Texts.announce(vm.takeAnnouncement())
                            await reload(vm)
                        }
                    }
                    .frame(height: 280)
                    Toggle(Texts.text("torch"), isOn: $torch)
                } else {
                    Text(Texts.text("door_camera_needed"))
                }
                switch vm.last {
                case .admitted(let a)?:
                    // The colour with who vouches for it: self-declared unless the authority attested it.
                    Text(Texts.text(admissionText(a))).font(.title2)
                    if let name = a.name { Text(name) }
                case .refused(let error)?:
                    Text(Texts.text(error)).foregroundColor(.red)
                case nil:
                    EmptyView()
                }
                Text(Texts.text(Message(.door_report, [String(vm.report.visitors), String(vm.report.stillInside)])))
                if let csv { ShareLink(Texts.text("export_report"), item: csv) }
                List(Array(vm.today.enumerated()), id: \.offset) { _, e in
                    Text("\(e.enteredAt) → \(e.exitedAt ?? "…") · \(Texts.text(Message(statusKey(e.status))))")
                }
            }
        }
        .padding()
        .onAppear {
            open()
            if cameraGranted == nil { CameraPermission.request { cameraGranted = $0 } }
        }
    }
}
