package images

import (
	"bytes"
	"debug/buildinfo"
	"fmt"
	"os"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/uuid"
	"github.com/package-url/packageurl-go"
)

// SBOMMediaType is the media type of the CycloneDX JSON documents: the
// artifactType of the SBOM artifact in each image's OCI layout.
const SBOMMediaType = "application/vnd.cyclonedx+json"

// sbom writes the CycloneDX SBOM of one image: the image (its digest in
// its purl), the program with the Go toolchain that built it and every
// module the binary at binaryPath was built from (its build info), and
// the Debian packages the image took files from (the base's and its tools'). Its serial number derives
// from the image's digest, so the same image gives the same document.
func sbom(p Program, s Stamp, tag name.Tag, digest v1.Hash, binaryPath string, debs []debPackage) ([]byte, error) {
	info, err := buildinfo.ReadFile(binaryPath)
	if err != nil {
		return nil, fmt.Errorf("build info of %s: %w", binaryPath, err)
	}
	imagePURL := packageurl.NewPackageURL(packageurl.TypeOCI, "", p.Name, digest.String(), packageurl.QualifiersFromMap(map[string]string{
		"repository_url": tag.Context().Name(),
		"tag":            tag.TagStr(),
	}), "").ToString()
	program := cdx.Component{
		BOMRef:     goPURL(info.Main.Path, s.Version),
		Type:       cdx.ComponentTypeApplication,
		Name:       p.Name,
		Version:    s.Version,
		PackageURL: goPURL(info.Main.Path, s.Version),
		Properties: &[]cdx.Property{
			{Name: "rapport:go:toolchain", Value: info.GoVersion},
			{Name: "rapport:go:module", Value: info.Main.Path},
			{Name: "rapport:revision", Value: s.Revision},
		},
	}
	components := []cdx.Component{program}
	var programDeps, imageDeps []string
	imageDeps = append(imageDeps, program.BOMRef)
	for _, m := range info.Deps {
		if m.Replace != nil && m.Replace.Version != "" {
			m = m.Replace
		}
		version := m.Version
		if version == "(devel)" || version == "" {
			version = s.Version
		}
		ref := goPURL(m.Path, version)
		components = append(components, cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeLibrary, Name: m.Path, Version: version, PackageURL: ref})
		programDeps = append(programDeps, ref)
	}
	distro, err := debianRelease()
	if err != nil {
		return nil, err
	}
	for _, d := range debs {
		ref := packageurl.NewPackageURL(packageurl.TypeDebian, "debian", d.Name, d.Version, packageurl.QualifiersFromMap(map[string]string{
			"arch": d.Arch, "distro": distro,
		}), "").ToString()
		components = append(components, cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeLibrary, Name: d.Name, Version: d.Version, PackageURL: ref})
		imageDeps = append(imageDeps, ref)
	}
	bom := cdx.NewBOM()
	bom.SerialNumber = uuid.NewSHA1(uuid.NameSpaceURL, []byte(imagePURL)).URN()
	bom.Metadata = &cdx.Metadata{
		Timestamp: s.Created.Format(time.RFC3339),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, Name: "rapport images", Version: s.Version,
		}}},
		Component: &cdx.Component{
			BOMRef: imagePURL, Type: cdx.ComponentTypeContainer,
			Name: tag.Context().Name(), Version: s.Version, PackageURL: imagePURL,
		},
	}
	bom.Components = &components
	bom.Dependencies = &[]cdx.Dependency{
		{Ref: imagePURL, Dependencies: &imageDeps},
		{Ref: program.BOMRef, Dependencies: &programDeps},
	}
	var buf bytes.Buffer
	if err := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON).SetPretty(true).EncodeVersion(bom, cdx.SpecVersion1_6); err != nil {
		return nil, fmt.Errorf("SBOM of %s: %w", p.Name, err)
	}
	return buf.Bytes(), nil
}

// goPURL is the package URL of a Go module at version.
func goPURL(path, version string) string {
	namespace, pkg := "", path
	if i := strings.LastIndex(path, "/"); i >= 0 {
		namespace, pkg = path[:i], path[i+1:]
	}
	return packageurl.NewPackageURL(packageurl.TypeGolang, namespace, pkg, version, nil, "").ToString()
}

// debianRelease names this machine's Debian release for the distro
// qualifier of a deb purl: debian-<VERSION_ID> from /etc/os-release.
func debianRelease() (string, error) {
	raw, err := os.ReadFile("/etc/os-release")
	if err != nil {
		return "", fmt.Errorf("the Debian release of the base's packages: %w", err)
	}
	fields := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			fields[k] = strings.Trim(v, `"`)
		}
	}
	if fields["ID"] == "" || fields["VERSION_ID"] == "" {
		return "", fmt.Errorf("/etc/os-release: no ID or VERSION_ID")
	}
	return fields["ID"] + "-" + fields["VERSION_ID"], nil
}
